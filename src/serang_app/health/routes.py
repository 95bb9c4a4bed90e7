"""GET /healthz (the process answers) and GET /readyz (the database answers too)."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency

from serang_app.db.pool import Database
from serang_app.http.problems import ApiError

READINESS_TIMEOUT_SECONDS = 2.0


class HealthStatus(msgspec.Struct, kw_only=True):
    status: str


@get("/healthz", tags=["ops"], summary="Liveness", opt={"public": True})
async def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@get("/readyz", tags=["ops"], summary="Readiness: the database answers", opt={"public": True})
async def readyz(database: NamedDependency[Database]) -> HealthStatus:
    try:
        async with database.acquire(wait_seconds=READINESS_TIMEOUT_SECONDS) as connection:
            await connection.fetchval("SELECT 1", timeout=READINESS_TIMEOUT_SECONDS)
    except Exception as error:  # any failure to reach the database means "not ready"
        raise ApiError(503, headers={"Retry-After": "5"}) from error
    return HealthStatus(status="ready")
