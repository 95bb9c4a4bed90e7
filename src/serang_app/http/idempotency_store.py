"""The SQL behind Idempotency-Key: claim a key, store the first answer, release, clean up.

Each function runs one short statement on a pooled connection and leaves nothing behind on it.
No connection is held while the route's handler runs: the handler needs the pool itself.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

import asyncpg

from serang_app.auth.revoked_sessions import SESSION_NOT_REVOKED, SessionToCheck
from serang_app.db.pool import Database

# How often a claim is retried when the row it collided with vanished before it could be read
# (released by a failing request, or deleted by the clean-up task) before answering "in progress".
_CLAIM_ATTEMPTS = 3
# Rows deleted per statement by the clean-up, so it never holds many row locks at once.
_CLEAN_UP_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Caller:
    kind: str
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    """One request that carried an Idempotency-Key, as the store needs to know it."""

    caller: Caller
    key: str
    method: str
    route: str
    fingerprint: bytes
    # This request's own id for the claim, so a late finish cannot overwrite a newer claim.
    claim: uuid.UUID


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Outcome(enum.Enum):
    CLAIMED = "claimed"  # run the handler, then complete or release
    REPLAY = "replay"  # the first answer is stored: send it again
    IN_PROGRESS = "in_progress"  # the first request with this key is still running
    KEY_REUSED = "key_reused"  # the key was first used for a different request
    # The resident's account was erased or the token's session ended (answer 401); nothing claimed.
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: Outcome
    response: StoredResponse | None = None


# Both claims take a row over on the same terms (_CLAIM says when).
_TAKE_OVER = """
ON CONFLICT (caller_kind, caller_id, key) DO UPDATE
SET method = excluded.method, route = excluded.route, fingerprint = excluded.fingerprint,
    claim = excluded.claim, state = 'running', response_status = NULL, response_headers = NULL,
    response_body = NULL, created_at = now(), completed_at = NULL, expires_at = excluded.expires_at
WHERE held.expires_at <= now()
   OR (held.state = 'running' AND held.fingerprint = excluded.fingerprint
       AND held.created_at <= now() - make_interval(secs => $9))
RETURNING (xmax <> 0) AS took_over
"""
# A new key is inserted. An existing row is taken over only when it has expired (then the key is
# free again) or when it is a claim of this very request that nobody finished within the timeout
# (a process that died mid-request). ON CONFLICT ... WHERE keeps this one atomic statement: two
# requests can never both get a row back.
_CLAIM = f"""
INSERT INTO idempotency_keys AS held
    (caller_kind, caller_id, key, method, route, fingerprint, claim, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))
{_TAKE_OVER}"""  # noqa: S608 (constant text)

# The claim for a resident's route that checks the account itself (ACCOUNT_CHECKED_BY_ROUTE_OPT:
# the authentication middleware has not looked it up): the check authentication would have made
# (not erased, the token's session, $10, not ended) and the claim in one statement, so an ended
# account claims nothing and no 401 is ever stored for its key. `active` is false when it ended;
# `took_over` is as _CLAIM's, NULL when the key is held.
_CLAIM_SIGNED_IN = f"""
WITH account AS (
    SELECT FROM residents WHERE id = $2 AND erased_at IS NULL AND {SESSION_NOT_REVOKED.format("$10")}
),
claimed AS (
    INSERT INTO idempotency_keys AS held
        (caller_kind, caller_id, key, method, route, fingerprint, claim, expires_at)
    SELECT $1::text, $2, $3::text, $4::text, $5::text, $6::bytea, $7::uuid, now() + make_interval(secs => $8)
    FROM account
    {_TAKE_OVER}
)
SELECT EXISTS (SELECT FROM account) AS active, (SELECT took_over FROM claimed) AS took_over
"""  # noqa: S608 (constant text)

_READ = """
SELECT fingerprint, state, response_status, response_headers, response_body,
       expires_at <= now() AS expired,
       state = 'running' AND created_at <= now() - make_interval(secs => $4) AS abandoned
FROM idempotency_keys
WHERE caller_kind = $1 AND caller_id = $2 AND key = $3
"""

_COMPLETE = """
UPDATE idempotency_keys
SET state = 'completed', response_status = $5, response_headers = $6, response_body = $7, completed_at = now()
WHERE caller_kind = $1 AND caller_id = $2 AND key = $3 AND claim = $4
"""

_RELEASE = "DELETE FROM idempotency_keys WHERE caller_kind = $1 AND caller_id = $2 AND key = $3 AND claim = $4"

_DELETE_EXPIRED = """
DELETE FROM idempotency_keys
WHERE (caller_kind, caller_id, key) IN (
    SELECT caller_kind, caller_id, key FROM idempotency_keys
    WHERE expires_at <= now()
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
"""


async def claim_key(
    database: Database,
    request: KeyedRequest,
    *,
    lifetime_seconds: float,
    abandoned_after_seconds: float,
    resident_session: SessionToCheck | None = None,
) -> tuple[Claim, bool]:
    """Claim the key for this request, or say what became of the request that holds it.

    The second value is True when the claim took over an expired or abandoned row.
    `resident_session`: the caller is a resident whose account nobody checked yet; the first
    claim checks it too (Outcome.SIGNED_OUT when it ended).
    """
    caller = request.caller
    async with database.acquire() as connection:
        for attempt in range(_CLAIM_ATTEMPTS):
            args = (
                caller.kind,
                caller.id,
                request.key,
                request.method,
                request.route,
                request.fingerprint,
                request.claim,
                lifetime_seconds,
                abandoned_after_seconds,
            )
            if resident_session is not None and attempt == 0:
                checked = await connection.fetchrow(_CLAIM_SIGNED_IN, *args, resident_session.session_id)
                assert checked is not None  # a SELECT without FROM returns its row
                if not checked["active"]:
                    return Claim(Outcome.SIGNED_OUT), False
                took_over = checked["took_over"]
            else:
                took_over = await connection.fetchval(_CLAIM, *args)
            if took_over is not None:
                return Claim(Outcome.CLAIMED), bool(took_over)
            # Read COMMITTED: this statement sees the row the insert collided with, unless it was
            # deleted or expired in between; then the next attempt may claim it.
            row = await connection.fetchrow(_READ, caller.kind, caller.id, request.key, abandoned_after_seconds)
            if row is None or row["expired"]:
                continue
            if bytes(row["fingerprint"]) != request.fingerprint:
                return Claim(Outcome.KEY_REUSED), False
            if row["state"] == "completed":
                headers = [(str(name), str(value)) for name, value in row["response_headers"]]
                stored = StoredResponse(row["response_status"], headers, bytes(row["response_body"]))
                return Claim(Outcome.REPLAY, stored), False
            if not row["abandoned"]:
                return Claim(Outcome.IN_PROGRESS), False
    # The row keeps changing under us: someone else is busy with this key right now.
    return Claim(Outcome.IN_PROGRESS), False


async def complete_key(database: Database, request: KeyedRequest, response: StoredResponse) -> bool:
    """Store the first answer; False when this request no longer held the claim."""
    caller = request.caller
    async with database.acquire() as connection:
        result = await connection.execute(
            _COMPLETE,
            caller.kind,
            caller.id,
            request.key,
            request.claim,
            response.status,
            [list(header) for header in response.headers],
            response.body,
        )
    return bool(result == "UPDATE 1")


async def release_key(database: Database, request: KeyedRequest) -> None:
    """Forget this request's claim so that a retry runs the request again."""
    caller = request.caller
    async with database.acquire() as connection:
        await connection.execute(_RELEASE, caller.kind, caller.id, request.key, request.claim)


async def delete_expired_keys(database: Database) -> int:
    """Delete every expired key, in small batches; returns how many. Several workers may run it."""
    deleted = 0
    while True:
        async with database.acquire() as connection:
            result = await connection.execute(_DELETE_EXPIRED, _CLEAN_UP_BATCH)
        count = int(result.split()[-1])
        deleted += count
        if count < _CLEAN_UP_BATCH:
            return deleted


async def forget_caller_keys(connection: asyncpg.Connection, caller: Caller) -> None:
    """Delete every stored answer of one caller, on the caller's transaction: answers may hold
    personal data (a profile after PATCH /v1/me), which erasure must not leave behind."""
    await connection.execute(
        "DELETE FROM idempotency_keys WHERE caller_kind = $1 AND caller_id = $2", caller.kind, caller.id
    )
