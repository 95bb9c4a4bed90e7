"""Complaint categories: read by everyone, edited by admins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec

from serang_app.api import (
    ApiError,
    Attribute,
    agency_problems,
    definition_problems,
    sent_fields,
    update_row,
)
from serang_app.modules.complaints.schemas import Category, CategoryChanges, CategoryDraft

_COLUMNS = """code, title, description, opd_code, sla_days, photo_required, public_by_default, attributes,
is_active, sort_order"""


def category_of(row: asyncpg.Record | Mapping[str, Any]) -> Category:
    return msgspec.convert(dict(row), Category)


async def list_categories(connection: asyncpg.Connection, *, include_inactive: bool) -> list[Category]:
    rows = await connection.fetch(
        f"""SELECT {_COLUMNS} FROM complaints.categories
            WHERE is_active OR $1 ORDER BY sort_order, code""",  # noqa: S608 (constant columns)
        include_inactive,
    )
    return [category_of(row) for row in rows]


# The category a complaint names ($1), when it takes complaints.
ACTIVE_CATEGORY = f"SELECT {_COLUMNS} FROM complaints.categories WHERE code = $1 AND is_active"  # noqa: S608


async def active_category(connection: asyncpg.Connection, code: str) -> Category | None:
    row = await connection.fetchrow(ACTIVE_CATEGORY, code)
    return category_of(row) if row else None


async def create_category(connection: asyncpg.Connection, draft: CategoryDraft) -> Category:
    await _check(connection, draft.opd_code, draft.attributes)
    values = msgspec.to_builtins(draft)
    try:
        row = await connection.fetchrow(
            f"""INSERT INTO complaints.categories ({_COLUMNS})
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {_COLUMNS}""",  # noqa: S608
            *(values[name.strip()] for name in _COLUMNS.split(",")),
        )
    except asyncpg.UniqueViolationError:
        raise ApiError(409, "complaints_category_exists", params={"code": draft.code}) from None
    assert row is not None  # an INSERT ... RETURNING returns its row
    return category_of(row)


async def change_category(connection: asyncpg.Connection, code: str, changes: CategoryChanges) -> Category:
    changed = sent_fields(changes)
    await _check(
        connection,
        changed.get("opd_code"),
        changes.attributes if changes.attributes is not msgspec.UNSET else [],
    )
    row = await update_row(
        connection, "complaints.categories", "code", code, changed, _COLUMNS, extra="updated_at = now()"
    )
    if row is None:
        raise ApiError(404)
    return category_of(row)


async def _check(connection: asyncpg.Connection, opd_code: str | None, attributes: list[Attribute]) -> None:
    problems = definition_problems(attributes)
    if opd_code is not None:
        problems += await agency_problems(connection, opd_code)
    if problems:
        raise ApiError(422, errors=problems)
