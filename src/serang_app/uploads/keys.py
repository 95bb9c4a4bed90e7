"""Where an upload's objects live: the one the phone sends to, and the ones the server keeps.

The phone's presigned URL (S3 POST policy or the local backend's signed PUT) names exactly one
key, under `incoming/`, and stays usable for its whole life, even after completion: a phone could
send again. So nothing is ever served from there. Completion writes what it checked (the PDF's
checked bytes, a photo's re-encoded files) under `uploads/`, which no URL lets a client write,
and deletes the incoming object; the worker deletes any that a later send left (cleanup.py).
"""

from __future__ import annotations

import uuid

INCOMING_PREFIX = "incoming/"


def incoming_key(owner_id: uuid.UUID, upload_id: uuid.UUID) -> str:
    return f"{INCOMING_PREFIX}{owner_id}/{upload_id}"


def kept_key(owner_id: uuid.UUID, upload_id: uuid.UUID, name: str) -> str:
    return f"uploads/{owner_id}/{upload_id}/{name}"


def upload_id_of_incoming(key: str) -> uuid.UUID | None:
    """The upload an incoming object belongs to; None for a key of another shape."""
    try:
        return uuid.UUID(key.removeprefix(INCOMING_PREFIX).split("/")[1])
    except (IndexError, ValueError):
        return None
