"""Reading and changing the agencies table."""

from __future__ import annotations

import re

import asyncpg

from serang_app.db.pool import row_as, rows_as
from serang_app.db.updates import sent_fields, update_row
from serang_app.http.problems import ApiError
from serang_app.opds.schemas import OPD_CODE_PATTERN, NewOpd, Opd, OpdChange
from serang_app.staff.accounts import ADMIN_OPD

_COLUMNS = "code, short_name, name, is_active, show_staff_names, created_at"
_OPD_CODE = re.compile(OPD_CODE_PATTERN)


async def list_opds(connection: asyncpg.Connection) -> list[Opd]:
    return rows_as(Opd, await connection.fetch(f"SELECT {_COLUMNS} FROM opds ORDER BY code"))  # noqa: S608


async def create_opd(connection: asyncpg.Connection, new: NewOpd) -> Opd:
    # Python's `$` (msgspec checks patterns with re) lets a final newline through; the table would not.
    code = new.code.strip()
    row = await connection.fetchrow(
        f"""INSERT INTO opds (code, short_name, name) VALUES ($1, $2, $3)
            ON CONFLICT (code) DO NOTHING RETURNING {_COLUMNS}""",  # noqa: S608
        code,
        new.short_name.strip(),
        new.name.strip(),
    )
    if row is None:
        raise ApiError(409, "opd_exists", params={"code": code})
    return row_as(Opd, row)


async def change_opd(connection: asyncpg.Connection, code: str, change: OpdChange) -> tuple[Opd, list[str]]:
    """Apply the changes (inside a transaction); return the agency and the names of the fields that changed."""
    if not _OPD_CODE.fullmatch(code):
        raise ApiError(404)  # no agency can have this code: unknown, like any other
    row = await connection.fetchrow(f"SELECT {_COLUMNS} FROM opds WHERE code = $1 FOR UPDATE", code)  # noqa: S608
    if row is None:
        raise ApiError(404)
    current = row_as(Opd, row)
    wanted = sent_fields(change, strip=True)
    changed = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    if changed.get("is_active") is False and code == ADMIN_OPD:
        # Admins belong to this agency, and new admins are placed in it.
        raise ApiError(409, "admin_opd_protected", params={"code": code})
    if not changed:
        return current, []
    updated = await update_row(connection, "opds", "code", code, changed, _COLUMNS)
    assert updated is not None  # the row is locked above
    return row_as(Opd, updated), sorted(changed)
