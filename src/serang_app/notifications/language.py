"""One language per resident: the profile's `locale` is what the inbox, the pushes and the
announcement topics of every one of the resident's phones speak.

Before, a phone registered with its own `locale` and the profile had another, so the app made two
calls to change language and a resident could get pushes in one language and the inbox in the
other. Now either call sets the one setting: `PATCH /v1/me {"locale"}` and a device registration
that still sends `locale` (old apps) both change the resident's language and every device's.

Staff have one too (`PATCH /v1/staff/me {"locale"}`): their pushes and their inbox speak it.
"""

from __future__ import annotations

import uuid

import asyncpg


async def set_resident_locale(connection: asyncpg.Connection, resident_id: uuid.UUID, locale: str) -> None:
    """Inside a transaction: the resident's language, and their devices' with it. A device whose
    language changes has its announcement topics checked again (`regency-en`, not `regency-id`)."""
    await connection.execute(
        "UPDATE residents SET locale = $2, updated_at = now() WHERE id = $1 AND locale IS DISTINCT FROM $2",
        resident_id,
        locale,
    )
    await connection.execute(
        "UPDATE devices SET locale = $2, topics_due_at = now() WHERE resident_id = $1 AND locale <> $2",
        resident_id,
        locale,
    )


async def resident_locale(connection: asyncpg.Connection, resident_id: uuid.UUID) -> str:
    locale: str | None = await connection.fetchval("SELECT locale FROM residents WHERE id = $1", resident_id)
    return locale or "id"


async def staff_locale(connection: asyncpg.Connection, staff_id: uuid.UUID) -> str | None:
    """The staff member's chosen language; None until they choose one (pushes and the inbox then
    speak Indonesian)."""
    locale: str | None = await connection.fetchval("SELECT locale FROM staff WHERE id = $1", staff_id)
    return locale


async def set_staff_locale(connection: asyncpg.Connection, staff_id: uuid.UUID, locale: str) -> None:
    """The staff member's one language: every push to their phones and their inbox speak it (staff
    devices keep no language of their own, so there is nothing else to change)."""
    await connection.execute("UPDATE staff SET locale = $2 WHERE id = $1", staff_id, locale)
