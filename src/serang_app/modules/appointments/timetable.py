"""When slots are: a schedule's weekly hours turned into slots on a given day, the public
holidays the offices close on, and the seats a slot offers in the app. Pure: no clock, no I/O.

Times are in the region's zone (`zone`, the case engine's: WIB, WITA or WIT), where the offices
are; results are timezone-aware.

Closed days are the national public holidays of the `holidays` package. Collective leave days
(cuti bersama) are not closed here, unlike for SLA counting (cases/calendar.py): the decree on
collective leave asks front-line public services to stay open, and the civil registry is one; an
office that does close sets a closure.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import PUBLIC

from serang_app.api import Text
from serang_app.modules.appointments.schemas import Schedule


def slots_on(schedule: Schedule, day: date, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) of each slot on `day`: every slot_minutes from each opening, while the slot
    ends by the closing time; the hours are local, in `zone`."""
    length = timedelta(minutes=schedule.slot_minutes)
    for hours in sorted(schedule.hours, key=lambda hours: hours.opens):
        if hours.weekday != day.weekday():
            continue
        start = datetime.combine(day, time.fromisoformat(hours.opens), zone)
        closes = datetime.combine(day, time.fromisoformat(hours.closes), zone)
        while start + length <= closes:
            yield start, start + length
            start += length


def slot_at(schedule: Schedule, starts_at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The slot starting exactly at `starts_at`, if the schedule has one."""
    local = starts_at.astimezone(zone)
    return next((slot for slot in slots_on(schedule, local.date(), zone) if slot[0] == local), None)


def online_seats(schedule: Schedule) -> int:
    """Seats a slot offers in the app: the capacity less the walk-in share (rounded up, so a
    share is never lost to rounding)."""
    return schedule.capacity - math.ceil(schedule.capacity * schedule.walk_in_percent / 100)


def public_holiday(day: date) -> Text | None:
    """The holiday's name in both languages when `day` is an Indonesian national public holiday."""
    return _holidays_of(day.year).get(day)


@functools.cache
def _holidays_of(year: int) -> dict[date, Text]:
    # A plain dict per year: a `holidays` look-up costs a quarter of a millisecond, and the slots
    # of 14 days ask 14 times per request.
    names_id = holidays.country_holidays("ID", years=year, categories=(PUBLIC,), language="id")
    names_en = holidays.country_holidays("ID", years=year, categories=(PUBLIC,), language="en_US")
    return {day: Text(id=name, en=names_en.get(day) or name) for day, name in names_id.items()}


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
