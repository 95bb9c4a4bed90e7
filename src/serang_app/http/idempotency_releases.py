"""Releasing an Idempotency-Key claim when its request failed, even while the database is down.

A request that fails releases its claim so that a retry runs again. When the failure is the
database itself (unreachable, shutting down, frozen), the release fails too, and the claim would
block every retry with 409 until its lease ends (`SERANG_IDEMPOTENCY_LEASE_SECONDS`). So a failed
release is remembered by the process, and done first when the same caller sends the same key
again: the phone that retries after the outage is served at once. So is a claim whose statement
failed: a frozen server may still run it when it wakes, after its answer was given up on. A retry
that reaches another process or replica meets the claim until the lease ends, then takes it over;
that is the bound.
"""

from __future__ import annotations

import anyio
import structlog

from serang_app.db.pool import Database
from serang_app.http.idempotency_store import Caller, KeyedRequest, release_key

# A release is one short statement; a database that cannot do it in this time is not answering.
RELEASE_BUDGET_SECONDS = 2.0
# Claims remembered at most; the oldest are forgotten first and left to their lease.
MAX_REMEMBERED = 10_000

logger = structlog.get_logger("serang_app.idempotency")


class ClaimReleaser:
    def __init__(self) -> None:
        self._unreleased: dict[tuple[Caller, str], KeyedRequest] = {}

    async def release(self, database: Database, request: KeyedRequest) -> None:
        """Release the claim within a short budget, even in a cancelled request; remember it on failure."""
        # Shielded, because a cancelled request (the client went away) would otherwise be
        # cancelled again at this await; with a deadline, so a frozen database cannot hold it.
        with anyio.CancelScope(shield=True, deadline=anyio.current_time() + RELEASE_BUDGET_SECONDS):
            try:
                await release_key(database, request)
            except Exception as error:
                logger.warning("idempotency_release_failed", route=request.route, error_type=type(error).__name__)
            else:
                return
        self.remember(request)

    async def release_earlier_claim(self, database: Database, caller: Caller, key: str) -> None:
        """Before this process claims a key: release its own earlier claim of it that failed to release."""
        if not self._unreleased:
            return
        earlier = self._unreleased.pop((caller, key), None)
        if earlier is None:
            return
        try:
            await release_key(database, earlier)
        except BaseException:
            self.remember(earlier)  # still unreachable: this request answers 503, a later one tries again
            raise

    def remember(self, request: KeyedRequest) -> None:
        """A claim that may exist although this process could not make sure it is gone."""
        if len(self._unreleased) >= MAX_REMEMBERED:
            del self._unreleased[next(iter(self._unreleased))]
        self._unreleased[(request.caller, request.key)] = request
