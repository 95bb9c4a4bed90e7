"""The staff table as the admin API sees it: list, create, change. Never reads a password hash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from serang_app.auth.refresh_tokens import revoke_subject
from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset
from serang_app.db.pool import row_as, rows_as
from serang_app.db.updates import sent_fields, update_row
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.notifications.staff_devices import forget_all_staff_devices
from serang_app.staff.accounts import ADMIN_OPD
from serang_app.staff.admin_schemas import NewStaff, StaffChange, StaffMember, StaffPage, StaffRole
from serang_app.staff.emails import canonical_email, is_staff_address

_COLUMNS = "id, email, name, role, opd_code, is_agency_head, is_active, created_at"
_NO_OPD = ("Petugas dan supervisor wajib terdaftar di satu OPD", "Officers and supervisors need an agency")
_CLOSED_OPD = ("OPD tidak ada atau sudah tidak aktif", "No such agency, or it is no longer active")
_HEAD_NOT_SUPERVISOR = (
    "Hanya supervisor yang dapat menjadi kepala OPD",
    "Only a supervisor can be the head of an agency",
)
_NOT_STAFF_ADDRESS = (
    "Bukan alamat email staf yang valid: hanya huruf, angka dan tanda baca ASCII, dengan satu @",
    "Not a valid staff e-mail address: ASCII letters, digits and punctuation only, with one @",
)


_NEWEST_FIRST = Keyset("staff", ("created_at", "id"), tuple[datetime, uuid.UUID])


@dataclass(frozen=True, slots=True)
class StaffFilter:
    opd_code: str | None = None
    role: StaffRole | None = None
    active: bool | None = None


async def list_staff(
    connection: asyncpg.Connection, where: StaffFilter, *, limit: int, cursor: str | None
) -> StaffPage:
    conditions = Conditions()
    if where.opd_code is not None:
        conditions.add("opd_code = ?", where.opd_code)
    if where.role is not None:
        conditions.add("role = ?", where.role)
    if where.active is not None:
        conditions.add("is_active = ?", where.active)
    page = await _NEWEST_FIRST.page(limit, cursor).fetch(connection, f"SELECT {_COLUMNS} FROM staff", conditions)  # noqa: S608
    return StaffPage(items=rows_as(StaffMember, page.rows), next_cursor=page.next_cursor)


async def create_staff(connection: asyncpg.Connection, new: NewStaff, password_hash: str) -> StaffMember:
    """Insert the account (inside a transaction); 422 for a missing or closed agency or an address that
    is not a staff address once canonical (staff/emails.py), 409 for an address taken in any spelling."""
    email = canonical_email(new.email)
    if not is_staff_address(email):
        raise ApiError(422, errors=[LocalizedFieldError("email", *_NOT_STAFF_ADDRESS)])
    opd_code = ADMIN_OPD if new.role == "admin" else new.opd_code
    if opd_code is None:
        raise _opd_error(_NO_OPD)
    _require_supervisor_head(new.role, new.is_agency_head)
    await _require_active_opd(connection, opd_code)
    row = await connection.fetchrow(
        f"""INSERT INTO staff (email, name, password_hash, role, opd_code, is_agency_head)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (email) DO NOTHING RETURNING {_COLUMNS}""",  # noqa: S608
        email,
        new.name.strip(),
        password_hash,
        new.role,
        opd_code,
        new.is_agency_head,
    )
    if row is None:
        raise ApiError(409, "staff_exists")
    return row_as(StaffMember, row)


async def change_staff(
    connection: asyncpg.Connection, staff_id: uuid.UUID, change: StaffChange, *, acting_admin: uuid.UUID
) -> tuple[StaffMember, list[str]]:
    """Apply the changes (inside a transaction); return the account and the names of the fields that changed.

    A disabled account's refresh tokens are revoked here, in the same transaction, and its phones
    forgotten (no more pushes); its access tokens stop working by themselves, since every request
    loads the account afresh.
    """
    row = await connection.fetchrow(f"SELECT {_COLUMNS} FROM staff WHERE id = $1 FOR UPDATE", staff_id)  # noqa: S608
    if row is None:
        raise ApiError(404)
    current = row_as(StaffMember, row)
    wanted = sent_fields(change, strip=True)
    role = wanted.get("role", current.role)
    if staff_id == acting_admin:
        # Locking oneself out could leave the regency without an admin; another admin must do it.
        if wanted.get("is_active") is False:
            raise ApiError(409, "cannot_disable_self")
        if role != "admin":
            raise ApiError(409, "cannot_demote_self")
    if role == "admin":
        wanted["opd_code"] = ADMIN_OPD
    elif "opd_code" in wanted:
        if wanted["opd_code"] != current.opd_code:
            await _require_active_opd(connection, wanted["opd_code"])
    elif current.opd_code is None:
        raise _opd_error(_NO_OPD)
    if role != "supervisor" and "is_agency_head" not in wanted:
        wanted["is_agency_head"] = False  # a head given another role is no longer the head
    _require_supervisor_head(role, wanted.get("is_agency_head", current.is_agency_head))
    changed = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    if not changed:
        return current, []
    updated = await update_row(connection, "staff", "id", staff_id, changed, _COLUMNS)
    assert updated is not None  # the row is locked above
    if changed.get("is_active") is False:
        await revoke_subject(connection, "staff", staff_id)
        await forget_all_staff_devices(connection, staff_id)
    return row_as(StaffMember, updated), sorted(changed)


async def _require_active_opd(connection: asyncpg.Connection, code: str) -> None:
    # FOR SHARE: the agency cannot be closed between this check and the commit.
    active = await connection.fetchval("SELECT is_active FROM opds WHERE code = $1 FOR SHARE", code)
    if not active:
        raise _opd_error(_CLOSED_OPD)


def _require_supervisor_head(role: str, is_agency_head: bool) -> None:
    # The head reads and acts on the agency's cases as a supervisor does (docs/cases.md, "Escalation").
    if is_agency_head and role != "supervisor":
        raise ApiError(422, errors=[LocalizedFieldError("is_agency_head", *_HEAD_NOT_SUPERVISOR)])


def _opd_error(message: tuple[str, str]) -> ApiError:
    return ApiError(422, errors=[LocalizedFieldError("opd_code", *message)])
