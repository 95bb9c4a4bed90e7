"""Open311 clients and their API keys: issued and revoked by admins, checked on every POST."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
import msgspec

from serang_app.api import DISPLAY_NAME, ApiError, create_service_resident

KEY_PREFIX = "s311_"


class ClientDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[
        str, msgspec.Meta(pattern=DISPLAY_NAME, min_length=1, max_length=120, description="Who the key is for.")
    ]


class Client(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    key_prefix: str
    created_at: datetime
    revoked_at: datetime | None


class IssuedClient(Client, kw_only=True):
    # Shown once, here: only its hash is kept.
    api_key: str


class ClientList(msgspec.Struct, kw_only=True):
    items: list[Client]


def _hash(key: str) -> bytes:
    # A random 256-bit key needs no slow hash: guessing it is hopeless, and SHA-256 lets every
    # POST check it with one indexed lookup.
    return hashlib.sha256(key.encode()).digest()


async def issue_client(connection: asyncpg.Connection, staff_id: uuid.UUID, draft: ClientDraft) -> IssuedClient:
    """Inside a transaction: the client's own resident account, then the key."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    resident_id = await create_service_resident(connection, draft.name)
    row = await connection.fetchrow(
        """INSERT INTO complaints.open311_clients (name, key_hash, key_prefix, resident_id, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id, name, key_prefix, created_at, revoked_at""",
        draft.name,
        _hash(key),
        key[: len(KEY_PREFIX) + 4],
        resident_id,
        staff_id,
    )
    assert row is not None  # an INSERT ... RETURNING returns its row
    return IssuedClient(**dict(row), api_key=key)


async def list_clients(connection: asyncpg.Connection) -> ClientList:
    rows = await connection.fetch(
        "SELECT id, name, key_prefix, created_at, revoked_at FROM complaints.open311_clients ORDER BY created_at"
    )
    return ClientList(items=[msgspec.convert(dict(row), Client) for row in rows])


async def revoke_client(connection: asyncpg.Connection, client_id: uuid.UUID) -> None:
    revoked = await connection.fetchval(
        """UPDATE complaints.open311_clients SET revoked_at = coalesce(revoked_at, now())
           WHERE id = $1 RETURNING 1""",
        client_id,
    )
    if revoked is None:
        raise ApiError(404)


async def client_account(connection: asyncpg.Connection, api_key: str) -> uuid.UUID | None:
    """The resident account a live key files as; None for an unknown or revoked key."""
    account: uuid.UUID | None = await connection.fetchval(
        "SELECT resident_id FROM complaints.open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
        _hash(api_key),
    )
    return account
