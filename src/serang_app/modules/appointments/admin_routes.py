"""/v1/appointments admin routes: services, places, schedules and closed days."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from serang_app.api import CaseActor, CaseEngine, Database, Principal, region_area_of
from serang_app.modules.appointments import catalogue, closures
from serang_app.modules.appointments.schemas import (
    CODE_PATTERN,
    Closure,
    ClosureResult,
    Place,
    PlaceDraft,
    Schedule,
    Service,
    ServiceDraft,
)

_MANAGE = {"permission": "appointments.manage"}
ServicePath = Annotated[str, PathParameter(description="The service's code.", pattern=CODE_PATTERN)]
PlacePath = Annotated[str, PathParameter(description="The place's code.", pattern=CODE_PATTERN)]
Day = Annotated[date, PathParameter(description="The day, YYYY-MM-DD.")]


@put(
    "/services/{code:str}",
    summary="Add or replace an appointment service (is_active false closes it)",
    status_code=200,
    opt={**_MANAGE, "problems": [422]},
)
async def put_appointment_service(
    database: NamedDependency[Database], code: ServicePath, data: JSONBody[ServiceDraft]
) -> Service:
    async with database.acquire() as connection, connection.transaction():
        return await catalogue.save_service(connection, code, data)


@put(
    "/places/{code:str}",
    summary="Add or replace a place (is_active false closes it)",
    status_code=200,
    opt={**_MANAGE, "problems": [422]},
)
async def put_appointment_place(
    request: Request[Any, Any, Any], database: NamedDependency[Database], code: PlacePath, data: JSONBody[PlaceDraft]
) -> Place:
    region_code = region_area_of(request.app.state).region_code
    async with database.acquire() as connection, connection.transaction():
        return await catalogue.save_place(connection, code, data, region_code)


@get(
    "/places/{place:str}/schedules/{service:str}",
    summary="When a place offers a service",
    opt={**_MANAGE, "problems": [404]},
)
async def get_appointment_schedule(
    database: NamedDependency[Database], place: PlacePath, service: ServicePath
) -> Schedule:
    async with database.acquire() as connection:
        return await catalogue.read_schedule(connection, place, service)


@put(
    "/places/{place:str}/schedules/{service:str}",
    summary="Set when a place offers a service: weekly hours, slots, seats, walk-in share, horizon, cut-off",
    status_code=200,
    opt={**_MANAGE, "problems": [404, 422]},
)
async def put_appointment_schedule(
    database: NamedDependency[Database], place: PlacePath, service: ServicePath, data: JSONBody[Schedule]
) -> Schedule:
    async with database.acquire() as connection, connection.transaction():
        return await catalogue.save_schedule(connection, place, service, data)


@put(
    "/closures/{day:date}",
    summary="Close a day at a place or everywhere: its bookings are cancelled and their residents told",
    status_code=200,
    opt={**_MANAGE, "problems": [404, 422]},
)
async def close_appointment_day(
    request: Request[Principal, Any, Any],
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    day: Day,
    data: JSONBody[Closure],
) -> ClosureResult:
    async with database.acquire() as connection, connection.transaction():
        return await closures.close_day(cases, connection, CaseActor.of(request), day, data)


@delete(
    "/closures/{day:date}",
    summary="Open a closed day again (cancelled bookings stay cancelled)",
    opt={**_MANAGE, "problems": [404]},
)
async def reopen_appointment_day(
    database: NamedDependency[Database],
    day: Day,
    place: Annotated[
        str | None,
        QueryParameter(pattern=CODE_PATTERN, required=False, description="The place; all places if left out."),
    ] = None,
) -> None:
    async with database.acquire() as connection:
        await closures.reopen_day(connection, day, place)


ADMIN_ROUTES = [
    put_appointment_service,
    put_appointment_place,
    get_appointment_schedule,
    put_appointment_schedule,
    close_appointment_day,
    reopen_appointment_day,
]
