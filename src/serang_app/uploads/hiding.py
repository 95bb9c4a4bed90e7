"""Hiding a case's photo from the public (a face, a number plate, a phone number in a complaint's
photo) and showing it again. A hidden photo's public thumbnail answers 404 at once, and once the
hide has committed its thumbnail moves to a new key, so that links handed out before stop working
too; its resident and the agency still read it through GET /v1/uploads/{id}."""

from __future__ import annotations

import secrets
import uuid

import asyncpg
import structlog
from litestar.datastructures import State

from serang_app.app_state import database_of, storage_of

logger = structlog.get_logger(__name__)

_HIDE = """
UPDATE uploads SET hidden_at = now()
WHERE id = $1 AND case_id = $2 AND content_type LIKE 'image/%' AND hidden_at IS NULL
RETURNING id
"""
_RESTORE = """
UPDATE uploads SET hidden_at = NULL
WHERE id = $1 AND case_id = $2 AND content_type LIKE 'image/%' AND hidden_at IS NOT NULL
RETURNING id
"""


async def hide_case_photo(connection: asyncpg.Connection, case_id: uuid.UUID, upload_id: uuid.UUID) -> bool:
    """In the caller's transaction. False when the upload is not a shown photo of that case."""
    return await connection.fetchval(_HIDE, upload_id, case_id) is not None


async def restore_case_photo(connection: asyncpg.Connection, case_id: uuid.UUID, upload_id: uuid.UUID) -> bool:
    """In the caller's transaction. False when the upload is not a hidden photo of that case."""
    return await connection.fetchval(_RESTORE, upload_id, case_id) is not None


# A thumbnail is at most 320 px a side (uploads/images.py): far below this.
_THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
_HIDDEN_THUMBNAIL = "SELECT files->>'thumbnail' FROM uploads WHERE id = $1 AND hidden_at IS NOT NULL"
_MOVE = """
UPDATE uploads SET files = jsonb_set(files, '{thumbnail}', to_jsonb($3::text))
WHERE id = $1 AND hidden_at IS NOT NULL AND files->>'thumbnail' = $2
RETURNING id
"""


async def end_public_photo_links(state: State, upload_id: uuid.UUID) -> bool:
    """After a hide has committed: every link to the photo's thumbnail handed out before stops
    working at once, as its object moves to a new key (S3 cannot revoke a presigned URL, and a link
    lives five minutes). The files themselves are never changed, only written anew and deleted
    (docs/uploads.md). False when nothing moved (the photo is shown again, or storage failed: the
    hide stands, and old links end when they expire)."""
    database, storage = database_of(state), storage_of(state)
    async with database.acquire() as connection:
        old = await connection.fetchval(_HIDDEN_THUMBNAIL, upload_id)
    if old is None:
        return False
    new = f"{old.rsplit('/', 1)[0]}/thumbnail-{secrets.token_hex(8)}.jpg"
    try:
        data = await storage.read(old, _THUMBNAIL_MAX_BYTES)
        if data is None:
            return False
        await storage.write(new, data, "image/jpeg")
        async with database.acquire() as connection:
            moved = await connection.fetchval(_MOVE, upload_id, old, new) is not None
        # Whichever key no row names any more goes: the old one, or ours when a restore came between.
        await storage.delete(old if moved else new)
    except Exception:  # storage or database unreachable: the hide stands, old links end when they expire
        logger.exception("public_photo_links_not_ended", upload_id=str(upload_id))
        return False
    return moved
