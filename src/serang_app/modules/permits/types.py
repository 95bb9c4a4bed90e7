"""Permit types: the form, the documents, the agency, the SLA, the validity."""

from __future__ import annotations

import asyncpg
import msgspec

from serang_app.modules.permits.schemas import PermitType

_COLUMNS = "code, title, description, opd_code, sla_days, validity_days, needs_supervisor, fields, documents"


async def permit_types(connection: asyncpg.Connection) -> list[PermitType]:
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM permits.types WHERE is_active ORDER BY sort_order, code"  # noqa: S608
    )
    return [msgspec.convert(dict(row), PermitType) for row in rows]


async def permit_type(connection: asyncpg.Connection, code: str) -> PermitType | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM permits.types WHERE code = $1 AND is_active",  # noqa: S608
        code,
    )
    return msgspec.convert(dict(row), PermitType) if row else None
