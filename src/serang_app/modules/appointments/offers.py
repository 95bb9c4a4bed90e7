"""The services residents can book, offered to other modules through the core (core API 1.5,
`offer_to_modules`): a service definition of the permits machinery ending with an appointment
names one, and its check asks the core, never this module's tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from serang_app.api import ModuleContext, offer_to_modules

# The kind of offer other modules ask about (docs/services.md, "The appointment outcome").
BOOKABLE_SERVICE = "bookable_service"


async def offer_bookable(connection: asyncpg.Connection, *codes: str) -> None:
    """The services named (every one when none is), open or closed as they are now."""
    rows = await connection.fetch(
        "SELECT code, is_active FROM appointments.services WHERE cardinality($1::text[]) = 0 OR code = ANY($1)",
        list(codes),
    )
    offers = [(row["code"], row["is_active"]) for row in rows]
    await offer_to_modules(connection, module="appointments", kind=BOOKABLE_SERVICE, offers=offers)


@asynccontextmanager
async def offering(context: ModuleContext) -> AsyncIterator[None]:
    """At each start, every service as it is: those of the migrations, and any changed while the
    core had forgotten this module's offers (it was not loaded)."""
    async with context.database.acquire() as connection, connection.transaction():
        await offer_bookable(connection)
    yield
