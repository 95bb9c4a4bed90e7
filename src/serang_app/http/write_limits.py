"""Limits on writes, shared by every process and replica: per account, or per client address.

A POST, PUT, PATCH or DELETE by a signed-in caller counts against their account
(`SERANG_RATE_LIMIT_WRITES_PER_MINUTE`); one to a public route (sign-in, Open311) counts against
the client's address (`SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE`, address as http/client_address.py
finds it), unless the route carries its own secret and says so (`opt[NO_ADDRESS_LIMIT_OPT]`: refresh
and logout, whose token is the proof, and the storage URLs, which are signed). Beyond the limit the
answer is 429 with `Retry-After`.

The count is one statement on PostgreSQL (an UNLOGGED table, a fixed window per caller), so every
process and replica shares it with no other server to run, in production as in development. Reads
are not counted here: they stay on the per-process request limit (http/rate_limits.py), so the hot
read paths cost no database round trip. A fixed window lets a caller reach twice the limit across
a window's edge; for a limit against floods that is close enough, and it keeps one row per caller.
"""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from serang_app.auth.permissions import PUBLIC_OPT
from serang_app.db.pool import Database
from serang_app.http.body import BODY_METHODS
from serang_app.http.problems import ApiError
from serang_app.http.rate_limits import LimitedCaller, caller_of
from serang_app.settings import Settings

WRITE_METHODS = BODY_METHODS | {"DELETE"}
NO_ADDRESS_LIMIT_OPT = "no_address_limit"
WINDOW_SECONDS = 60

_COUNT = """
INSERT INTO write_limit_windows AS held (bucket, window_started_at, hits) VALUES ($1, now(), 1)
ON CONFLICT (bucket) DO UPDATE
SET window_started_at = CASE WHEN held.window_started_at > now() - make_interval(secs => $2)
                             THEN held.window_started_at ELSE now() END,
    hits = CASE WHEN held.window_started_at > now() - make_interval(secs => $2) THEN held.hits + 1 ELSE 1 END
RETURNING hits, ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int AS resets_in
"""
_DELETE_ENDED = "DELETE FROM write_limit_windows WHERE window_started_at < now() - make_interval(secs => $1)"


def write_limit_middleware(settings: Settings) -> Any:  # Litestar's Middleware type is a wide union
    per_account = settings.rate_limit_writes_per_minute
    per_address = settings.rate_limit_public_writes_per_minute
    trusted = settings.trusted_proxy_networks

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == ScopeType.HTTP and scope["method"] in WRITE_METHODS:
                caller = caller_of(scope, trusted)
                limit = _limit_for(caller, scope, per_account, per_address)
                if limit:
                    await _count(scope["app"].state.database, caller, limit)
            await app(scope, receive, send)

        return middleware

    return factory


def _limit_for(caller: LimitedCaller, scope: Scope, per_account: int, per_address: int) -> int:
    if caller.is_account:
        return per_account
    opt = scope["route_handler"].opt
    if opt.get(PUBLIC_OPT) and not opt.get(NO_ADDRESS_LIMIT_OPT):
        return per_address
    return 0  # a guarded route without a valid token: authentication refuses it next


async def _count(database: Database, caller: LimitedCaller, limit: int) -> None:
    async with database.acquire() as connection:
        row = await connection.fetchrow(_COUNT, caller.key, WINDOW_SECONDS)
    assert row is not None  # an upsert with RETURNING returns its row
    if row["hits"] > limit:
        resets_in = str(max(1, row["resets_in"]))
        raise ApiError(
            429,
            headers={
                "Retry-After": resets_in,
                "RateLimit-Policy": f"{limit}; w={WINDOW_SECONDS}",
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": resets_in,
            },
        )


async def delete_ended_windows(database: Database) -> int:
    """Forget callers whose window ended; the worker runs it now and then."""
    async with database.acquire() as connection:
        result = await connection.execute(_DELETE_ENDED, WINDOW_SECONDS)
    return int(result.split()[-1])
