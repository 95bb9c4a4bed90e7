"""Opaque refresh tokens that rotate on every use.

Each sign-in starts a family. Presenting a token replaces it with a new one. Presenting a token
that was already replaced means it was copied: the whole family is revoked, except that the
immediately previous token may be retried for a short grace period, because a phone on a poor
network may have sent the refresh and lost the answer.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from serang_app.auth.access_tokens import AccessSubject, SubjectKind
from serang_app.auth.revoked_sessions import REVOKE_FAMILY, REVOKE_SUBJECT

_TOKEN_BYTES = 32


class RefreshRefusedError(Exception):
    """The refresh token is unknown, expired, revoked, or was reused."""


@dataclass(frozen=True, slots=True)
class IssuedRefreshToken:
    token: str
    family_id: uuid.UUID


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def start_family(
    connection: asyncpg.Connection, subject: AccessSubject, lifetime: timedelta
) -> IssuedRefreshToken:
    return await _insert(connection, uuid.uuid4(), subject.kind, subject.id, lifetime)


async def _insert(
    connection: asyncpg.Connection, family_id: uuid.UUID, kind: SubjectKind, subject_id: uuid.UUID, lifetime: timedelta
) -> IssuedRefreshToken:
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    await connection.execute(
        """INSERT INTO refresh_tokens (family_id, subject_kind, subject_id, token_hash, expires_at)
           VALUES ($1, $2, $3, $4, now() + $5::interval)""",
        family_id,
        kind,
        subject_id,
        _hash(token),
        lifetime,
    )
    return IssuedRefreshToken(token=token, family_id=family_id)


async def rotate(
    connection: asyncpg.Connection, token: str, *, lifetime: timedelta, grace: timedelta
) -> tuple[AccessSubject, IssuedRefreshToken] | None:
    """Exchange a refresh token for a new one, or None when it may not be used.

    Call inside a transaction and commit it even on None: a detected reuse revokes the family,
    and that revocation must stick.
    """
    presented = await connection.fetchrow(
        "SELECT id, family_id, subject_kind, subject_id, expires_at, replaced_at, replaced_by, revoked_at "
        "FROM refresh_tokens WHERE token_hash = $1",
        _hash(token),
    )
    if presented is None:
        return None
    # Serialise refreshes of one family, so two concurrent uses cannot both succeed.
    await connection.execute("SELECT 1 FROM refresh_tokens WHERE family_id = $1 FOR UPDATE", presented["family_id"])
    current = await connection.fetchrow(
        "SELECT replaced_at, replaced_by, revoked_at, expires_at FROM refresh_tokens WHERE id = $1", presented["id"]
    )
    assert current is not None
    now = datetime.now(UTC)
    if current["revoked_at"] is not None or current["expires_at"] <= now:
        return None
    if current["replaced_at"] is not None:
        if not await _may_retry(connection, current["replaced_by"], current["replaced_at"], now, grace):
            await revoke_family(connection, presented["family_id"])  # a copied token: end the session
            return None
        # The retry replaces the successor the phone never received.
        await connection.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1", current["replaced_by"])
    subject = AccessSubject(kind=presented["subject_kind"], id=presented["subject_id"])
    issued = await _insert(connection, presented["family_id"], subject.kind, subject.id, lifetime)
    await connection.execute(
        "UPDATE refresh_tokens SET replaced_at = now(), replaced_by = "
        "(SELECT id FROM refresh_tokens WHERE token_hash = $2) WHERE id = $1",
        presented["id"],
        _hash(issued.token),
    )
    return subject, issued


async def _may_retry(
    connection: asyncpg.Connection,
    successor_id: uuid.UUID,
    replaced_at: datetime,
    now: datetime,
    grace: timedelta,
) -> bool:
    """Only the previous token, only briefly, and only while its successor is unused."""
    if now - replaced_at > grace:
        return False
    successor = await connection.fetchrow(
        "SELECT replaced_at, revoked_at FROM refresh_tokens WHERE id = $1", successor_id
    )
    return successor is not None and successor["replaced_at"] is None and successor["revoked_at"] is None


# Ending a family also ends its access tokens, in every process (auth/revoked_sessions.py).


async def revoke_family(connection: asyncpg.Connection, family_id: uuid.UUID) -> None:
    await connection.execute(REVOKE_FAMILY, family_id)


async def revoke_by_token(connection: asyncpg.Connection, token: str) -> uuid.UUID | None:
    """Sign out: revoke the token's family and return its id (the session's); None when the token is unknown."""
    family_id: uuid.UUID | None = await connection.fetchval(
        "SELECT family_id FROM refresh_tokens WHERE token_hash = $1", _hash(token)
    )
    if family_id is not None:
        await revoke_family(connection, family_id)
    return family_id


async def revoke_subject(connection: asyncpg.Connection, kind: SubjectKind, subject_id: uuid.UUID) -> None:
    await connection.execute(REVOKE_SUBJECT, kind, subject_id)
