"""The ceilings for the complaints rows: Litestar and asyncpg, bare.

`GET /v1/complaints/nearby` runs the service's own nearby query (reading.NEARBY) and encodes the
rows as they come. `POST /v1/complaints` does the writes filing needs at their simplest: the
reference number (the same counter row, so the same serialisation), the case and the report, in
one transaction; no authentication, idempotency, validation, timeline or audit. The load sends a
pin alone, as the app may: the district comes from the region's boundaries (regions/boundaries.py,
the same lookup as the service's), since a case's district is what routes it.
"""

from __future__ import annotations

import math
import os
import uuid
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, get, post
from litestar.datastructures import State
from litestar.response import Response

from bench.bare_pool import pool_lifespan
from serang_app.modules.complaints.reading import METRES_PER_DEGREE, NEARBY
from serang_app.regions.boundaries import region_area
from serang_app.settings import DEFAULT_REGION

DATABASE_VARIABLE = "BENCH_COMPLAINTS_DATABASE_URL"
RESIDENT_VARIABLE = "BENCH_COMPLAINTS_RESIDENT_ID"
REGION_CODE = DEFAULT_REGION  # the bench runs the default region, Kabupaten Serang


def create() -> Litestar:
    dsn = os.environ[DATABASE_VARIABLE]
    resident_id = uuid.UUID(os.environ[RESIDENT_VARIABLE])
    area = region_area(REGION_CODE, None)

    @get("/v1/complaints/nearby")
    async def nearby(state: State, lat: float, lon: float, radius: int = 250) -> Response[bytes]:
        half_height = radius / METRES_PER_DEGREE
        half_width = half_height / math.cos(math.radians(lat))
        async with state.pool.acquire() as connection:
            rows = await connection.fetch(NEARBY, lat, lon, half_height, half_width, radius, None, 20)
        body = msgspec.json.encode({"items": [dict(row) for row in rows]})
        return Response(content=body, media_type=MediaType.JSON)

    @post("/v1/complaints")
    async def file(state: State, request: Request[Any, Any, Any]) -> Response[bytes]:
        draft = msgspec.json.decode(await request.body())
        pin = area.place(draft["latitude"], draft["longitude"])
        if pin is None or pin.district_code is None:
            return Response(content=b"{}", media_type=MediaType.JSON, status_code=422)
        async with state.pool.acquire() as connection, connection.transaction():
            number = await connection.fetchval(
                """INSERT INTO case_reference_counters (prefix, period, last_value) VALUES ('BRE', '0000', 1)
                   ON CONFLICT (prefix, period) DO UPDATE SET last_value = case_reference_counters.last_value + 1
                   RETURNING last_value"""
            )
            case_id = await connection.fetchval(
                """INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, district_code,
                                      status, phase, sla_days, due_at)
                   VALUES ($1, 'complaints', 'complaint', 'complaints.report', $2, 'DISHUB', $3, 'submitted',
                           'submitted', 5, now() + interval '7 days')
                   RETURNING id""",
                f"BRE-{number:09d}",
                resident_id,
                pin.district_code,
            )
            await connection.execute(
                """INSERT INTO complaints.reports (case_id, category_code, description, latitude, longitude)
                   VALUES ($1, $2, $3, $4, $5)""",
                case_id,
                draft["category"],
                draft["description"],
                draft["latitude"],
                draft["longitude"],
            )
        return Response(content=msgspec.json.encode({"case_id": case_id}), media_type=MediaType.JSON, status_code=201)

    return Litestar(route_handlers=[nearby, file], lifespan=[pool_lifespan(dsn)], openapi_config=None)
