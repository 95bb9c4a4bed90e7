"""Taking back notifications scheduled for later (notify_resident's `at`) that are no longer true:
a reminder of a cancelled appointment, of a revoked permit's expiry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

# A scheduled notification is one whose time (created_at) is still ahead: it is neither in the
# inbox nor pushed yet. Its push job goes with it (push_jobs: ON DELETE CASCADE).
_CANCEL = "DELETE FROM notifications WHERE case_id = $1 AND template = ANY($2::text[]) AND created_at > now()"


async def cancel_scheduled_notifications(
    connection: asyncpg.Connection, case_id: uuid.UUID, templates: Sequence[str]
) -> int:
    """In the caller's transaction: delete the case's notifications of these templates not yet due;
    how many went. Those already due stay: the resident may have read them."""
    status: str = await connection.execute(_CANCEL, case_id, list(templates))
    return int(status.rsplit(" ", 1)[-1])
