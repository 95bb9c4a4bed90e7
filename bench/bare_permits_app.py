"""The ceiling for GET /v1/permits/verify/{code}: Litestar and asyncpg running the service's own
query (issuing.VERIFY), bare: the same status rule and name mask, the row encoded as it comes; no
middleware, no problem details, no OpenAPI."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import msgspec
from litestar import Litestar, MediaType, get
from litestar.datastructures import State
from litestar.response import Response

from bench.bare_pool import pool_lifespan
from serang_app.modules.permits.issuing import VERIFY, mask_name

DATABASE_VARIABLE = "BENCH_PERMITS_DATABASE_URL"


def create() -> Litestar:
    dsn = os.environ[DATABASE_VARIABLE]

    @get("/v1/permits/verify/{code:str}")
    async def verify(state: State, code: str) -> Response[bytes]:
        async with state.pool.acquire() as connection:
            row = await connection.fetchrow(VERIFY, code)
        if row is None:
            return Response(content=b"{}", media_type=MediaType.JSON, status_code=404)
        if row["revoked_at"] is not None:
            status = "revoked"
        elif row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            status = "expired"
        else:
            status = "valid"
        body = {
            "status": status,
            # jsonb as PostgreSQL sends it (the bare pool has no JSON codec): passed through.
            "permit_type": msgspec.Raw(row["title"]),
            "number": row["number"],
            "holder": mask_name(row["holder_name"]),
            "issued_at": row["issued_at"],
            "expires_at": row["expires_at"],
        }
        return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)

    return Litestar(route_handlers=[verify], lifespan=[pool_lifespan(dsn)], openapi_config=None)
