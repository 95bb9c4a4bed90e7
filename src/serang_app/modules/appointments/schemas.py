"""What the appointments API reads and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from serang_app.api import DISPLAY_NAME, PLAIN_TEXT, LocalText, Text

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"
Code = Annotated[str, msgspec.Meta(pattern=CODE_PATTERN)]
ServiceCode = Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, examples=["ktp_recording"])]
PlaceCode = Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, examples=["disdukcapil_office"])]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:00"])]
# What a booking is at: the states of the `appointment` workflow, and the walk-ins' same steps.
BookingStatus = Literal["booked", "checked_in", "called", "serving", "done", "cancelled", "no_show", "office_closed"]


class Service(msgspec.Struct, kw_only=True):
    code: str
    title: Text
    documents: list[Text]
    opd_code: str
    duration_minutes: int
    is_active: bool
    sort_order: int
    # Where it can be booked.
    places: list[str]


class ServiceList(msgspec.Struct, kw_only=True):
    items: list[Service]


class Place(msgspec.Struct, kw_only=True):
    code: str
    name: str
    address: str
    district_code: str
    latitude: float
    longitude: float
    is_active: bool
    # What can be booked there.
    services: list[str]


class PlaceList(msgspec.Struct, kw_only=True):
    items: list[Place]


class OpeningHours(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6, description="0 is Monday.")]
    opens: ClockTime
    closes: ClockTime


class Schedule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """When a place offers a service: weekly hours in local time, the slot length, seats per slot and the
    share kept for walk-ins, how many days ahead booking opens and how long before a slot it
    closes (booking, cancelling and rescheduling alike)."""

    hours: Annotated[list[OpeningHours], msgspec.Meta(max_length=21)]
    slot_minutes: Annotated[int, msgspec.Meta(ge=5, le=240)]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=500)]
    walk_in_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 14
    cutoff_minutes: Annotated[int, msgspec.Meta(ge=0, le=2880)] = 120
    is_active: bool = True


class Slot(msgspec.Struct, kw_only=True):
    starts_at: datetime
    ends_at: datetime
    # The same instants in the region's local time, with its offset (`2026-12-07T08:00:00+07:00`).
    starts_at_local: datetime
    ends_at_local: datetime
    # Seats left for booking in the app (the walk-in share is not offered).
    remaining: int
    # Whether it can be booked now: seats left, inside the horizon and before the cut-off.
    bookable: bool


class ClosedDay(msgspec.Struct, kw_only=True):
    day: date
    # The holiday's name, or the reason the office gave for closing.
    reason: Text


class SlotList(msgspec.Struct, kw_only=True):
    service: str
    place: str
    service_title: Text
    place_name: str
    # The region's zone (docs/time-zones.md) and its offset from UTC, as in the local times.
    time_zone: str
    utc_offset: str
    items: list[Slot]
    # Days in the range the place is closed (public holidays, closures), with the reason.
    closed: list[ClosedDay]


class NewBooking(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    service_code: ServiceCode
    place_code: PlaceCode
    starts_at: datetime


class Reschedule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    starts_at: datetime


class Booking(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    case_id: uuid.UUID | None
    # The case's reference (IDC-...): typed at the counter when the QR code cannot be scanned.
    reference: str | None
    service_code: str
    place_code: str
    starts_at: datetime
    ends_at: datetime
    # The same instants in the region's local time, with its offset (`2026-12-07T08:00:00+07:00`).
    starts_at_local: datetime
    ends_at_local: datetime
    time_zone: str
    utc_offset: str
    # What and where, as the app shows them (no second call to the catalogue).
    service_title: Text
    place_name: str
    place_address: str
    status: BookingStatus
    # What the QR code holds; only the resident and the agency see it.
    check_in_code: str | None
    walk_in: bool
    walk_in_name: str | None
    queue_number: int | None
    checked_in_at: datetime | None
    created_at: datetime


class BookingList(msgspec.Struct, kw_only=True):
    items: list[Booking]


class BookingPage(msgspec.Struct, kw_only=True):
    items: list[Booking]
    next_cursor: str | None


class CheckIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """At the counter of `place_code`: the QR code's content, or the reference number typed."""

    place_code: PlaceCode
    code: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=64)] | None = None
    reference: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=32)] | None = None


class WalkIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    place_code: PlaceCode
    service_code: ServiceCode
    name: Annotated[str, msgspec.Meta(pattern=DISPLAY_NAME, min_length=1, max_length=100)] | None = None


class Closure(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Close a day at one place, or at every place (no place_code)."""

    reason: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=200)]
    place_code: PlaceCode | None = None


class ClosureResult(msgspec.Struct, kw_only=True):
    day: date
    place_code: str | None
    reason: str
    # Bookings of that day cancelled (their residents told to book again).
    cancelled: int


class ServiceDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A service's whole definition (its code is in the path)."""

    title: LocalText
    documents: Annotated[list[LocalText], msgspec.Meta(max_length=20)] = []
    opd_code: Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,31}$", examples=["DISDUKCAPIL"])]
    duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=240)]
    is_active: bool = True
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=10000)] = 100


class PlaceDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A place's whole definition (its code is in the path)."""

    name: Annotated[str, msgspec.Meta(pattern=DISPLAY_NAME, min_length=1, max_length=100)]
    address: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=200)]
    district_code: Annotated[str, msgspec.Meta(pattern=r"^\d{2}\.\d{2}\.\d{2}$", examples=["36.04.09"])]
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    is_active: bool = True
