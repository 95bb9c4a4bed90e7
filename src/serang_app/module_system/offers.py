"""What one module offers others to name, kept by the core so that neither reads the other's
schema (core API 1.5): the appointments module offers its bookable services, and a service
definition of the permits machinery ending with an appointment names one of them.

The offering module keeps its rows true (`offer_to_modules` when it adds, changes or closes
something, and once at its start for all of them). At every start the core forgets the offers of
modules that are not loaded, so that a removed module's offers are not taken for present ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import asyncpg

from serang_app.db.pool import Database

OfferState = Literal["open", "closed", "unknown", "module_absent"]

_UPSERT = """
INSERT INTO module_offers (module, kind, code, is_open) VALUES ($1, $2, $3, $4)
ON CONFLICT (module, kind, code) DO UPDATE SET is_open = EXCLUDED.is_open, updated_at = now()
WHERE module_offers.is_open IS DISTINCT FROM EXCLUDED.is_open
"""
_STATE = """
SELECT (SELECT is_open FROM module_offers WHERE module = $1 AND kind = $2 AND code = $3) AS is_open,
       EXISTS (SELECT 1 FROM module_offers WHERE module = $1 AND kind = $2) AS offers_any
"""


async def offer_to_modules(
    connection: asyncpg.Connection, *, module: str, kind: str, offers: Sequence[tuple[str, bool]]
) -> None:
    """In the caller's transaction: each `(code, is_open)` of `module`'s offers of `kind` recorded."""
    await connection.executemany(_UPSERT, [(module, kind, code, is_open) for code, is_open in offers])


async def module_offer(connection: asyncpg.Connection, *, module: str, kind: str, code: str) -> OfferState:
    """Whether `module` offers `code` of `kind`: open, closed, unknown to it, or `module_absent`
    when the module offers nothing of that kind (it is not installed, or has none yet)."""
    row = await connection.fetchrow(_STATE, module, kind, code)
    assert row is not None
    if row["is_open"] is not None:
        return "open" if row["is_open"] else "closed"
    return "unknown" if row["offers_any"] else "module_absent"


async def forget_offers_of_absent_modules(database: Database, loaded: Sequence[str]) -> None:
    async with database.acquire() as connection:
        await connection.execute("DELETE FROM module_offers WHERE module <> ALL($1::text[])", list(loaded))
