"""Hiding a case's photo from the public (a face, a number plate, a phone number in a complaint's
photo) and showing it again. A hidden photo's public thumbnail answers 404 at once; its resident
and the agency still read it through GET /v1/uploads/{id}. Only the flag changes: the files stay
as they were written (docs/uploads.md)."""

from __future__ import annotations

import uuid

import asyncpg

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
