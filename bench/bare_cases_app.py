"""The ceiling for GET /v1/me/cases: Litestar and asyncpg running the same keyset query, bare.

No authentication, no middleware, no OpenAPI: the resident's id comes from the environment, the
rows are encoded as they come. The pool is sized and released like the service's (db/pool.py:
ten connections, no reset query on release), so the two differ only in what the service adds
around the query.
"""

from __future__ import annotations

import os
import uuid

import msgspec
from litestar import Litestar, MediaType, get
from litestar.datastructures import State
from litestar.response import Response

from bench.bare_pool import pool_lifespan
from serang_app.cases.lists import RESIDENT_FIRST_PAGE

DATABASE_VARIABLE = "BENCH_CASES_DATABASE_URL"
RESIDENT_VARIABLE = "BENCH_CASES_RESIDENT_ID"
PAGE_SIZE = 20


def create() -> Litestar:
    dsn = os.environ[DATABASE_VARIABLE]
    resident_id = uuid.UUID(os.environ[RESIDENT_VARIABLE])

    @get("/v1/me/cases")
    async def cases(state: State) -> Response[bytes]:
        async with state.pool.acquire() as connection:
            rows = await connection.fetch(RESIDENT_FIRST_PAGE, resident_id, PAGE_SIZE + 1, None)
        body = msgspec.json.encode({"items": [dict(row) for row in rows[:PAGE_SIZE]]})
        return Response(content=body, media_type=MediaType.JSON)

    return Litestar(route_handlers=[cases], lifespan=[pool_lifespan(dsn)], openapi_config=None)
