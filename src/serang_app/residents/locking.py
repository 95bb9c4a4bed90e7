"""One resident's requests one at a time, where a module counts what the resident already has."""

from __future__ import annotations

import uuid

import asyncpg


async def lock_resident(connection: asyncpg.Connection, resident_id: uuid.UUID) -> None:
    """In the caller's transaction: wait for, then hold until the transaction ends, the resident's
    account row, so two requests of one resident checking a limit (one active booking per service,
    so many a day) cannot both pass it. Erasing the account waits for it too."""
    await connection.execute("SELECT 1 FROM residents WHERE id = $1 FOR UPDATE", resident_id)
