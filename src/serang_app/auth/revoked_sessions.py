"""Ended sign-ins, so that their access tokens stop on the next request rather than when they expire.

An access token names its sign-in (`sid`: the refresh token family). Ending a family (sign-out, a
replayed refresh token, erasure, a disabled staff account) records it in `revoked_sessions` in the
same statement. The account check every signed-in request already makes (auth/principal.py, and
the query of `GET /v1/me/cases`) also asks that the session is not there: one more index probe in
a query that runs anyway, not another round trip. A cache in each process kept current by
LISTEN/NOTIFY was tried and dropped: a notification reached another process some milliseconds
after the sign-out had answered, so the next request there still passed (docs/architecture.md).

A row matters only while an access token of the session can still be valid: the longest lifetime
the settings allow plus the clock leeway. The worker deletes older ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from serang_app.auth.access_tokens import CLOCK_LEEWAY_SECONDS, LONGEST_LIFETIME_SECONDS
from serang_app.db.pool import Database

KEEP = timedelta(seconds=LONGEST_LIFETIME_SECONDS + CLOCK_LEEWAY_SECONDS)

# A condition for the account queries: `{}` is the parameter holding the token's session id
# (NULL for a token without one, which then always passes).
SESSION_NOT_REVOKED = "NOT EXISTS (SELECT FROM revoked_sessions WHERE session_id = {})"


@dataclass(frozen=True, slots=True)
class SessionToCheck:
    """The token's session (None for a token from before sessions were named), for a statement
    that checks the resident's account as authentication would (a route that says
    ACCOUNT_CHECKED_BY_ROUTE_OPT: the Idempotency-Key claim, or the route's own first read)."""

    session_id: uuid.UUID | None


# Ends refresh token families and records them, in one statement.
_REVOKE = """
WITH ended AS (
    UPDATE refresh_tokens SET revoked_at = now() WHERE {where} AND revoked_at IS NULL RETURNING family_id
)
INSERT INTO revoked_sessions (session_id) SELECT DISTINCT family_id FROM ended
ON CONFLICT (session_id) DO UPDATE SET revoked_at = now()
"""
REVOKE_FAMILY = _REVOKE.format(where="family_id = $1")
REVOKE_SUBJECT = _REVOKE.format(where="subject_kind = $1 AND subject_id = $2")
_DELETE_OLD = "DELETE FROM revoked_sessions WHERE revoked_at <= now() - $1::interval"


async def delete_old_revocations(database: Database) -> int:
    """Delete revocations no token can need any more; the worker runs this now and then."""
    async with database.acquire() as connection:
        status = await connection.execute(_DELETE_OLD, KEEP)
    return int(status.split()[-1])
