"""The worker's clean-up: uploads never completed, or completed and never used, go after a day."""

from __future__ import annotations

from serang_app.db.pool import Database
from serang_app.storage.backend import Storage

ABANDONED_AFTER = "24 hours"
BATCH_SIZE = 200

_CLAIM = f"""
DELETE FROM uploads
WHERE id IN (
    SELECT id FROM uploads
    WHERE attached_at IS NULL AND created_at < now() - interval '{ABANDONED_AFTER}'
    ORDER BY created_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
RETURNING object_key, files
"""  # noqa: S608 (constants only)


async def delete_abandoned_uploads(database: Database, storage: Storage) -> int:
    """Delete the rows, then their objects; returns how many uploads went.

    Rows first: an object left behind by a failure here costs storage, while a row left
    pointing at a deleted object would break whoever reads it.
    """
    total = 0
    while True:
        async with database.acquire() as connection, connection.transaction():
            rows = await connection.fetch(_CLAIM, BATCH_SIZE)
        keys = [key for row in rows for key in {row["object_key"], *(row["files"] or {}).values()}]
        await storage.delete(*keys)
        total += len(rows)
        if len(rows) < BATCH_SIZE:
            return total
