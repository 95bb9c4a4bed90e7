"""GET /v1/stats/public: per agency, this month's cases received and completed and the share
completed within the SLA. Counts only: no case, no resident, nothing personal. Computed at most
once a minute per process, and phones and proxies may keep it as long."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.app_state import case_engine_of
from serang_app.db.pool import Database
from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED, CachedJson
from serang_app.identity.deployment import DeploymentIdentity
from serang_app.stats.formatting import share
from serang_app.stats.periods import month_of
from serang_app.stats.schemas import PublicAgency, PublicStats
from serang_app.stats.sources import stats_database_of

CACHE_SECONDS = 60.0

# Agencies with an open service on the home screen, or with cases this month.
_THIS_MONTH = """
WITH counted AS (
    SELECT opd_code, sum(received)::bigint AS received, sum(completed)::bigint AS completed,
           sum(completed_with_sla)::bigint AS with_sla, sum(completed_within_sla)::bigint AS within_sla
    FROM (SELECT opd_code, received, completed, completed_with_sla, completed_within_sla
          FROM stats_monthly WHERE month = $1
          UNION ALL
          SELECT opd_code, received, completed, completed_with_sla, completed_within_sla
          FROM stats_monthly_pending WHERE month = $1) AS month_rows
    GROUP BY opd_code
)
SELECT o.code, o.short_name, o.name, coalesce(c.received, 0) AS received, coalesce(c.completed, 0) AS completed,
       coalesce(c.with_sla, 0) AS with_sla, coalesce(c.within_sla, 0) AS within_sla
FROM opds o LEFT JOIN counted c ON c.opd_code = o.code
WHERE c.opd_code IS NOT NULL OR EXISTS (SELECT 1 FROM catalogue_services s WHERE s.opd_code = o.code AND s.is_open)
ORDER BY o.code
"""


async def public_stats(connection: asyncpg.Connection, month: date, identity: DeploymentIdentity) -> PublicStats:
    return PublicStats(
        month=month.strftime("%Y-%m"),
        region_code=identity.region_code,
        region_name=identity.region_name,
        government_name=identity.government_name,
        agencies=[
            PublicAgency(
                opd_code=row["code"],
                short_name=row["short_name"],
                name=row["name"],
                received=row["received"],
                completed=row["completed"],
                within_sla_share=share(row["within_sla"], row["with_sla"]),
            )
            for row in await connection.fetch(_THIS_MONTH, month)
        ],
    )


class PublicStatsCache:
    """This month's figures, encoded once and answered from memory until they are a minute old."""

    def __init__(self, identity: DeploymentIdentity, max_age: float = CACHE_SECONDS) -> None:
        self._identity = identity
        self._max_age = max_age
        self._current: tuple[date, CachedJson, float] | None = None
        self._lock = asyncio.Lock()

    async def get(self, database: Database, now: Callable[[], datetime], zone: ZoneInfo) -> CachedJson:
        month = month_of(now(), zone)
        current = self._current
        if current is not None and current[0] == month and time.monotonic() - current[2] < self._max_age:
            return current[1]
        async with self._lock:
            if self._current is not None and self._current is not current:
                return self._current[1]  # another request refreshed it while this one waited
            async with database.acquire() as connection:
                stats = await public_stats(connection, month, self._identity)
            encoded = CachedJson(msgspec.json.encode(stats), max_age=int(self._max_age))
            self._current = (month, encoded, time.monotonic())
            return encoded


@get(
    "/v1/stats/public",
    tags=["stats"],
    summary="This month's public service figures per agency: received, completed, share within SLA",
    opt={"public": True, CACHED_OPT: True},
    responses={200: ResponseSpec(PublicStats, description="The figures", generate_examples=False), **NOT_MODIFIED},
)
async def get_public_stats(scope: Scope) -> ASGIResponse:
    state = scope["app"].state
    cache: PublicStatsCache = state.public_stats_cache
    engine = case_engine_of(state)
    encoded = await cache.get(stats_database_of(state), engine.now, engine.zone)
    return encoded.answer(scope)
