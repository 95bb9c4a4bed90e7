"""GET /healthz (the process answers) and GET /readyz (the database answers too)."""

from __future__ import annotations

import asyncio
from typing import Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency

from serang_app.db.pool import Database
from serang_app.http.problems import RETRY_AFTER_SECONDS, ApiError

READINESS_TIMEOUT_SECONDS = 2.0


class HealthStatus(msgspec.Struct, kw_only=True):
    status: Literal["ok", "ready"]


@get("/healthz", operation_id="checkLiveness", tags=["ops"], summary="Liveness", opt={"public": True})
async def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@get(
    "/readyz",
    operation_id="checkReadiness",
    tags=["ops"],
    summary="Readiness: the database answers",
    opt={"public": True},
)
async def readyz(database: NamedDependency[Database]) -> HealthStatus:
    # One budget for the whole check (a connection, then the query), so a database that stopped
    # answering makes this 503 in 2 s, not 2 s per step. The check is left to finish on its own
    # bounds rather than cancelled: cancelling asyncpg mid-query leaves its connection's release
    # failing in a task nobody awaits, logged as an error on every poll of an outage.
    check = asyncio.ensure_future(_select_one(database))
    check.add_done_callback(_late_result_is_not_an_error)
    done, _ = await asyncio.wait({check}, timeout=READINESS_TIMEOUT_SECONDS)
    if not done or check.exception() is not None:
        raise ApiError(503, headers={"Retry-After": RETRY_AFTER_SECONDS})
    return HealthStatus(status="ready")


async def _select_one(database: Database) -> None:
    async with database.acquire(wait_seconds=READINESS_TIMEOUT_SECONDS) as connection:
        await connection.fetchval("SELECT 1", timeout=READINESS_TIMEOUT_SECONDS)


def _late_result_is_not_an_error(check: asyncio.Future[None]) -> None:
    if not check.cancelled():
        check.exception()  # retrieved, so asyncio does not log it as forgotten
