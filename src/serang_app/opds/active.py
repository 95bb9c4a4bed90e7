"""Whether an agency code names an open agency: the one check every form naming an agency makes
(a case handed over, a catalogue service, and modules' categories, permit types and services)."""

from __future__ import annotations

import asyncpg

from serang_app.http.problems import ApiError, LocalizedFieldError


async def agency_problems(
    connection: asyncpg.Connection, opd_code: str, *, field: str = "opd_code"
) -> list[LocalizedFieldError]:
    """The field error when `opd_code` is not an active agency (none at all, or closed); else none.
    For forms that list every problem at once."""
    if await connection.fetchval("SELECT 1 FROM opds WHERE code = $1 AND is_active", opd_code):
        return []
    return [LocalizedFieldError(field, "OPD tidak dikenal", "Unknown agency")]


async def require_agency(connection: asyncpg.Connection, opd_code: str, *, field: str = "opd_code") -> None:
    """422 naming `field` unless `opd_code` is an active agency."""
    if problems := await agency_problems(connection, opd_code, field=field):
        raise ApiError(422, errors=problems)
