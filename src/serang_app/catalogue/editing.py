"""Admins edit the catalogue: titles, description, icon, SLA, agency, requirements, open or
closed, and the home-screen order. Every web process learns of a change at once: the editing
process drops its cached catalogue, and a NOTIFY on commit tells the others (catalogue/listening.py)."""

from __future__ import annotations

import asyncpg
import msgspec

from serang_app.catalogue.schemas import AdminService, ServiceChange
from serang_app.db.updates import sent_fields, update_row
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.opds.active import require_agency

CHANNEL = "serang_catalogue"
_COLUMNS = "code, module, opd_code, title, description, icon, sla_days, requirements, is_open, sort_order"


async def all_services(connection: asyncpg.Connection) -> list[AdminService]:
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM catalogue_services ORDER BY sort_order, code"  # noqa: S608 (constant columns)
    )
    return [msgspec.convert(dict(row), AdminService) for row in rows]


async def change_service(
    connection: asyncpg.Connection, code: str, change: ServiceChange
) -> tuple[AdminService, list[str]]:
    """Inside a transaction: the entry after the change, and the names of the fields sent."""
    changed = sent_fields(change, strip=False)
    if "opd_code" in changed:
        await require_agency(connection, changed["opd_code"])
    row = await update_row(
        connection, "catalogue_services", "code", code, changed, _COLUMNS, extra="updated_at = now()"
    )
    if row is None:
        raise ApiError(404)
    await announce_change(connection)
    return msgspec.convert(dict(row), AdminService), sorted(changed)


async def order_services(connection: asyncpg.Connection, codes: list[str]) -> list[AdminService]:
    """Inside a transaction: the listed services first, in that order, then the rest as they were."""
    if len(set(codes)) != len(codes):
        raise ApiError(422, errors=[LocalizedFieldError("codes", "Kode dipakai dua kali", "A code is listed twice")])
    known = {row["code"] for row in await connection.fetch("SELECT code FROM catalogue_services FOR UPDATE")}
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "codes", f"Layanan tidak dikenal: {', '.join(unknown)}", f"Unknown services: {', '.join(unknown)}"
                )
            ],
        )
    await connection.execute(
        """WITH listed AS (SELECT code, ordinality AS position FROM unnest($1::text[]) WITH ORDINALITY AS t (code)),
                ranked AS (
                    SELECT s.code, row_number() OVER (ORDER BY l.position NULLS LAST, s.sort_order, s.code) AS position
                    FROM catalogue_services s LEFT JOIN listed l ON l.code = s.code
                )
           UPDATE catalogue_services s SET sort_order = ranked.position * 10, updated_at = now()
           FROM ranked WHERE ranked.code = s.code""",
        codes,
    )
    await announce_change(connection)
    return await all_services(connection)


async def announce_change(connection: asyncpg.Connection) -> None:
    """Delivered to every listening process when the transaction commits, and only then."""
    await connection.execute("SELECT pg_notify($1, '')", CHANNEL)
