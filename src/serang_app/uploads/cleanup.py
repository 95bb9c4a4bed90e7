"""The worker's clean-up: uploads never completed, or completed and never used, go after a day;
files a phone sent again after its upload was completed or refused go at the next round."""

from __future__ import annotations

from serang_app.db.pool import Database
from serang_app.storage.backend import Storage
from serang_app.uploads.keys import INCOMING_PREFIX, upload_id_of_incoming

ABANDONED_AFTER = "24 hours"
BATCH_SIZE = 200
# S3 deletes at most 1,000 keys per request.
STRAY_BATCH_SIZE = 1000

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


async def delete_stray_incoming_files(database: Database, storage: Storage) -> int:
    """Delete incoming objects whose upload is no longer pending; returns how many went.

    A presigned upload URL stays usable until it expires, also after completion, which already
    deleted the incoming object and kept its checked copy elsewhere (keys.py): a phone that sends
    again leaves one behind, perhaps with a photo's EXIF. Only a pending upload's object is
    waiting to be checked; any other is stray. Its row is looked up after the listing, so an
    upload completing meanwhile keeps its object until the next round.
    """
    keys = await storage.list_keys(INCOMING_PREFIX)
    deleted = 0
    for start in range(0, len(keys), STRAY_BATCH_SIZE):
        batch = {key: upload_id_of_incoming(key) for key in keys[start : start + STRAY_BATCH_SIZE]}
        async with database.acquire() as connection:
            pending = {
                row["id"]
                for row in await connection.fetch(
                    "SELECT id FROM uploads WHERE id = ANY($1::uuid[]) AND status = 'pending'",
                    [upload_id for upload_id in batch.values() if upload_id is not None],
                )
            }
        stray = [key for key, upload_id in batch.items() if upload_id not in pending]
        await storage.delete(*stray)
        deleted += len(stray)
    return deleted
