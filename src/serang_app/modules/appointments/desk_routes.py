"""/v1/appointments/desk: the counter's side (staff of the service's agency)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from serang_app.api import CaseActor, CaseEngine, Database, Principal
from serang_app.modules.appointments import desk
from serang_app.modules.appointments.rules import BookingRules
from serang_app.modules.appointments.schemas import CODE_PATTERN, Booking, BookingList, CheckIn, WalkIn
from serang_app.modules.appointments.timetable import local_day

SignedIn = Request[Principal, Any, Any]
_DESK = {"permission": "appointments.desk"}


@post(
    "/desk/check-in",
    summary="Check a booking in (QR code or reference number): only on its day, at its place; gives the queue number",
    status_code=200,
    opt={**_DESK, "problems": [404, 409, 422]},
)
async def check_in_appointment(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    data: JSONBody[CheckIn],
) -> Booking:
    async with database.acquire() as connection, connection.transaction():
        return await desk.check_in(cases, connection, CaseActor.of(request), data, rules)


@post(
    "/desk/walk-ins",
    summary="Put someone without a booking in today's queue",
    opt={**_DESK, "problems": [404, 409]},
)
async def add_walk_in(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    data: JSONBody[WalkIn],
) -> Booking:
    async with database.acquire() as connection, connection.transaction():
        return await desk.add_walk_in(connection, CaseActor.of(request), data, rules, cases.zone)


@get("/desk/queue", summary="A place's queue for a day (today by default), for the officer's agency", opt=_DESK)
async def desk_queue(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    place: Annotated[str, QueryParameter(pattern=CODE_PATTERN, description="The place's code.")],
    day: Annotated[
        date | None, QueryParameter(required=False, description="YYYY-MM-DD; today (local time) if left out.")
    ] = None,
) -> BookingList:
    async with database.acquire() as connection:
        today = local_day(rules.now(), cases.zone)
        items = await desk.day_queue(connection, CaseActor.of(request), place, day or today, cases.zone)
    return BookingList(items=items)


@post(
    "/desk/bookings/{booking_id:uuid}/{step:str}",
    summary="The next step at the counter: call, serve, finish",
    status_code=200,
    opt={**_DESK, "problems": [404, 409]},
)
async def desk_step(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    booking_id: Annotated[uuid.UUID, PathParameter(description="The booking's id.")],
    step: Annotated[Literal["call", "serve", "finish"], PathParameter(description="call, serve or finish.")],
) -> Booking:
    async with database.acquire() as connection, connection.transaction():
        return await desk.take_step(cases, connection, CaseActor.of(request), booking_id, step)


DESK_ROUTES = [check_in_appointment, add_walk_in, desk_queue, desk_step]
