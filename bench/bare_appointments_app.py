"""The ceilings for the appointments rows: Litestar and asyncpg, bare.

`GET /v1/appointments/slots` runs the module's own availability code (the same two queries and
the same slot arithmetic) on a pool with the service's JSON codecs. `POST /v1/appointments` does
booking's database work at its simplest, in one transaction: the resident's row locked, the seat
taken with the same conditional upsert, the case (same reference counter) and the booking
inserted; no authentication, idempotency, validation, timeline, notifications or audit. The
resident comes in a header (the ceiling has no sign-in).
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, get, post
from litestar.datastructures import State
from litestar.response import Response

from bench.appointments import SEATS
from bench.bare_pool import pool_lifespan
from serang_app.cases.calendar import JAKARTA  # the bench runs the default region, Kabupaten Serang
from serang_app.modules.appointments.availability import available_slots
from serang_app.modules.appointments.booking import TAKE_SEAT

DATABASE_VARIABLE = "BENCH_APPOINTMENTS_DATABASE_URL"
RESIDENT_HEADER = "X-Bench-Resident"


def create() -> Litestar:
    dsn = os.environ[DATABASE_VARIABLE]

    @get("/v1/appointments/slots")
    async def slots(state: State, request: Request[Any, Any, Any]) -> Response[bytes]:
        query = request.query_params
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
        async with state.pool.acquire() as connection:
            found = await available_slots(
                connection, query["service"], query["place"], first, last, datetime.now(UTC), JAKARTA
            )
        return Response(content=msgspec.json.encode(found), media_type=MediaType.JSON)

    @post("/v1/appointments")
    async def book(state: State, request: Request[Any, Any, Any]) -> Response[bytes]:
        draft = msgspec.json.decode(await request.body())
        resident_id = request.headers[RESIDENT_HEADER]
        starts_at = datetime.fromisoformat(draft["starts_at"])
        async with state.pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT 1 FROM residents WHERE id = $1 FOR UPDATE", resident_id)
            taken = await connection.fetchval(TAKE_SEAT, draft["place_code"], draft["service_code"], starts_at, SEATS)
            if taken is None:
                return Response(content=b"{}", media_type=MediaType.JSON, status_code=409)
            number = await connection.fetchval(
                """INSERT INTO case_reference_counters (prefix, period, last_value) VALUES ('BJD', '0000', 1)
                   ON CONFLICT (prefix, period) DO UPDATE SET last_value = case_reference_counters.last_value + 1
                   RETURNING last_value"""
            )
            case_id = await connection.fetchval(
                """INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase)
                   VALUES ($1, 'appointments', 'appointment', 'appointments.book', $2, 'DISDUKCAPIL', 'booked',
                           'submitted')
                   RETURNING id""",
                f"BJD-{number:09d}",
                resident_id,
            )
            booking_id = await connection.fetchval(
                """INSERT INTO appointments.bookings (case_id, resident_id, service_code, place_code, starts_at,
                       ends_at, status, check_in_code)
                   VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7) RETURNING id""",
                case_id,
                resident_id,
                draft["service_code"],
                draft["place_code"],
                starts_at,
                starts_at + timedelta(minutes=30),
                secrets.token_urlsafe(12),
            )
        return Response(content=msgspec.json.encode({"id": booking_id}), media_type=MediaType.JSON, status_code=201)

    return Litestar(route_handlers=[slots, book], lifespan=[pool_lifespan(dsn, json_codecs=True)], openapi_config=None)
