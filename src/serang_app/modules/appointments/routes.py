"""/v1/appointments: what can be booked where and when (public), and a resident's bookings."""

from __future__ import annotations

import io
import uuid
from datetime import date
from typing import Annotated, Any

import segno
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from serang_app.api import (
    ACCOUNT_CHECKED_BY_ROUTE_OPT,
    DEFAULT_LIMIT,
    CaseActor,
    CaseEngine,
    Database,
    PageCursor,
    PageLimit,
    Principal,
)
from serang_app.modules.appointments import booking
from serang_app.modules.appointments.availability import available_slots
from serang_app.modules.appointments.catalogue import list_places, list_services
from serang_app.modules.appointments.rules import BookingRules
from serang_app.modules.appointments.schemas import (
    CODE_PATTERN,
    Booking,
    BookingPage,
    NewBooking,
    PlaceList,
    Reschedule,
    ServiceList,
    SlotList,
)

SignedIn = Request[Principal, Any, Any]
BookingId = Annotated[uuid.UUID, PathParameter(description="The booking's id.")]
ReadBookingId = Annotated[
    uuid.UUID, PathParameter(description="The booking's id, or its case's id (what a case's `module_object` names).")
]
_BOOK = {"permission": "appointments.book"}
_READ = {"permission": "appointments.read", "problems": [404]}


@get("/services", summary="What can be booked: services, the documents to bring, where", opt={"public": True})
async def appointment_services(database: NamedDependency[Database]) -> ServiceList:
    async with database.acquire() as connection:
        return ServiceList(items=await list_services(connection))


@get("/places", summary="Where: offices with address, coordinates and the services they offer", opt={"public": True})
async def appointment_places(database: NamedDependency[Database]) -> PlaceList:
    async with database.acquire() as connection:
        return PlaceList(items=await list_places(connection))


@get(
    "/slots",
    summary="Every slot of a service at a place over 1 to 31 days, with the seats left in the app",
    opt={"public": True, "problems": [404, 422]},
    cache_control=None,
)
async def appointment_slots(
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    service: Annotated[str, QueryParameter(pattern=CODE_PATTERN, description="The service's code.")],
    place: Annotated[str, QueryParameter(pattern=CODE_PATTERN, description="The place's code.")],
    first: Annotated[date, QueryParameter(name="from", description="The first day (YYYY-MM-DD, local time).")],
    last: Annotated[date, QueryParameter(name="to", description="The last day, at most 30 days after the first.")],
) -> SlotList:
    async with database.acquire() as connection:
        return await available_slots(connection, service, place, first, last, rules.now(), cases.zone)


@post(
    "/",
    summary="Book a slot (send an Idempotency-Key: a retry gets the same booking)",
    # The account is checked in booking's first statement (booking.book), not by a look-up of
    # its own in authentication: one round trip fewer (docs/performance.md, "Booking, third round").
    opt={**_BOOK, "problems": [409, 422], ACCOUNT_CHECKED_BY_ROUTE_OPT: True},
)
async def book_appointment(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    data: JSONBody[NewBooking],
) -> Booking:
    async with database.acquire() as connection, connection.transaction():
        return await booking.book(cases, connection, CaseActor.of(request), data, rules, request.user.session_id)


@get("/", summary="My bookings, latest slot first, a page at a time", opt=_BOOK)
async def my_appointments(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> BookingPage:
    async with database.acquire() as connection:
        return await booking.my_bookings(connection, request.user.id, limit, cursor, cases.zone)


@get("/{booking_id:uuid}", summary="A booking, for its resident and the agency", opt=_READ)
async def read_appointment(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    booking_id: ReadBookingId,
) -> Booking:
    async with database.acquire() as connection:
        booking_id = await booking.booking_id_of(connection, booking_id)
        row = await booking.own_booking(connection, CaseActor.of(request), booking_id)
    return booking.booking_of(row, cases.zone)


@get(
    "/{booking_id:uuid}/qr.png",
    summary="The QR code to show at the counter",
    media_type="image/png",
    opt=_READ,
)
async def appointment_qr(
    request: SignedIn, database: NamedDependency[Database], booking_id: BookingId
) -> Response[bytes]:
    async with database.acquire() as connection:
        row = await booking.own_booking(connection, CaseActor.of(request), booking_id)
    image = io.BytesIO()
    segno.make(row["check_in_code"], error="m").save(image, kind="png", scale=8, border=4)
    return Response(
        content=image.getvalue(), media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )


@post(
    "/{booking_id:uuid}/cancel",
    summary="Cancel a booking (until the cut-off before its slot)",
    status_code=200,
    opt={**_BOOK, "problems": [404, 409]},
)
async def cancel_appointment(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    booking_id: BookingId,
) -> Booking:
    async with database.acquire() as connection, connection.transaction():
        return await booking.cancel(cases, connection, CaseActor.of(request), booking_id, rules)


@post(
    "/{booking_id:uuid}/reschedule",
    summary="Move a booking to another slot (the old seat is kept until the new one is taken)",
    status_code=200,
    opt={**_BOOK, "problems": [404, 409, 422]},
)
async def reschedule_appointment(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    rules: NamedDependency[BookingRules],
    booking_id: BookingId,
    data: JSONBody[Reschedule],
) -> Booking:
    async with database.acquire() as connection, connection.transaction():
        return await booking.reschedule(
            connection, CaseActor.of(request), booking_id, data.starts_at, rules, cases.zone
        )


RESIDENT_ROUTES = [
    appointment_services,
    appointment_places,
    appointment_slots,
    book_appointment,
    my_appointments,
    read_appointment,
    appointment_qr,
    cancel_appointment,
    reschedule_appointment,
]
