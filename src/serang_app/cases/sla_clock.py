"""The SLA clock of a case: started at opening, stopped while waiting for the resident, ended at a
final phase. The arithmetic is the calendar's (calendar.py); this decides when to apply it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from serang_app.cases.calendar import JAKARTA, WorkingCalendar
from serang_app.cases.workflow import FINAL_PHASES, State


@dataclass(frozen=True, slots=True)
class Clock:
    due_at: datetime | None
    paused_since: datetime | None
    closed_at: datetime | None
    # The working days the case has spent waiting for the resident, pauses ended so far.
    paused_working_days: int = 0


def move_clock(calendar: WorkingCalendar, clock: Clock, target: State, now: datetime) -> Clock:
    """The clock after a case moves into `target` at `now`."""
    final = target.phase in FINAL_PHASES
    stopped = target.pauses_sla and not final
    due, paused, paused_days = clock.due_at, clock.paused_since, clock.paused_working_days
    if paused is not None and not stopped:
        # Leaving a pause (or closing during one): the working days it covered are given back.
        if due is not None:
            due = calendar.extend_due(due, paused, now)
        paused_days += calendar.paused_working_days(paused, now)
        paused = None
    elif paused is None and stopped:
        paused = now
    closed = (clock.closed_at or now) if final else None
    return Clock(due_at=due, paused_since=paused, closed_at=closed, paused_working_days=paused_days)


def working_days_taken(calendar: WorkingCalendar, received: datetime, clock: Clock) -> int | None:
    """The agency's time to close the case, in working days (the statistics' time to completion):
    the working days from receipt to closing (calendar.working_days_between) less those the case
    spent waiting for the resident. None while the case is open."""
    if clock.closed_at is None:
        return None
    elapsed = calendar.working_days_between(received, clock.closed_at)
    # A pause counts the days it covers and elapsed time the days begun after receipt, so a pause
    # that began on the day of receipt can cover one day more than elapsed counts.
    return max(0, elapsed - clock.paused_working_days)


def is_overdue(
    due_at: datetime | None, paused_since: datetime | None, closed_at: datetime | None, now: datetime
) -> bool:
    """Open and past its due time; a paused case is judged at the moment its clock stopped."""
    if due_at is None or closed_at is not None:
        return False
    return (paused_since or now) >= due_at


class CalendarSource:
    """The working calendar with the admins' closed dates, re-read at most every `max_age` seconds.

    Closures change a few times a year; reading them on every transition would cost a query for
    nothing. An admin's change reaches the other replicas within `max_age`. `zone` is the region's
    (Settings.time_zone), fixed for the life of the process.
    """

    def __init__(self, max_age: float = 60.0, *, zone: ZoneInfo = JAKARTA) -> None:
        self._max_age = max_age
        self._zone = zone
        self._calendar: WorkingCalendar | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, connection: asyncpg.Connection) -> WorkingCalendar:
        if self._calendar is not None and time.monotonic() - self._loaded_at < self._max_age:
            return self._calendar
        async with self._lock:
            if self._calendar is None or time.monotonic() - self._loaded_at >= self._max_age:
                closed: list[date] = []
                leave: list[date] = []
                for row in await connection.fetch("SELECT day, kind FROM closed_dates"):
                    (leave if row["kind"] == "collective_leave" else closed).append(row["day"])
                self._calendar = WorkingCalendar(closed, collective_leave_dates=leave, zone=self._zone)
                self._loaded_at = time.monotonic()
            return self._calendar

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def invalidate(self) -> None:
        self._calendar = None
