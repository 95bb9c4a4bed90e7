"""Working days for SLA deadlines: when an agency is open, and deadlines counted in its open days.

A service's SLA is a number of working days, counted in the region's own time zone (`zone`:
Asia/Jakarta, WIB, for Banten; Asia/Makassar, WITA, for Bali; Asia/Jayapura, WIT, for
Papua: regions/time_zones.py). "Local" below means that zone. Everything here is pure: no clock, no database, no I/O, so the case core, the
SLA sweeps of the worker and the statistics all get the same answer for the same inputs.

Working day: Monday to Friday, except
- Indonesian public holidays (hari libur nasional) from the `holidays` package;
- collective leave days (cuti bersama): the days around holidays on which the government closes
  its offices, by joint ministerial decree. The package lists them for Indonesia in its
  `government` category ("Cuti Bersama ..."), apart from the public ones. The agencies that work
  cases are government offices, closed on those days, so the days do not count. A service that is
  staffed anyway (the decree asks front-line services to keep serving) can pass
  `collective_leave_closed=False`;
- dates closed by an admin (cases/closed_dates.py): the region's own holidays, a local closure, or
  a holiday decreed after the package was released (`closed_dates`), and the region's own
  collective leave (`collective_leave_dates`), which counts like the national one: closed unless
  `collective_leave_closed=False`. The package knows only the national calendar.

Receipt: a request received on a working day is received that day, whatever the hour; one received
on any other day counts as received on the next working day. The day of receipt is day 0.

Deadline: an SLA of N working days ends with the N-th working day after the day of receipt, so the
due time is the first instant after it: local 00:00 of the next calendar day (which may be a Saturday
or a holiday). A case is overdue when now >= due. An exclusive boundary keeps the arithmetic in
whole days (no 23:59:59.999999); a client that prints a date shows the day before the due time
("until the end of ..."). N = 0 means "by the end of the day of receipt".

Pauses: while a case waits for the resident, the clock stands still. A pause costs the agency the
working days whose start (local 00:00) falls inside it, from paused_from (inclusive) to paused_until
(exclusive), and the due time moves on by that many working days. A pause from Tuesday 10:00 to
Friday 10:00 covers the starts of Wednesday, Thursday and Friday: three working days, as a person
would count them. A pause within one day costs nothing, and a weekend inside a pause costs nothing;
one from Friday 16:00 to Monday 09:00 costs one day (Monday's start is inside it).
Counting whole days keeps the due time on a day boundary; the price is that where the pause
starts and ends within a day does not matter. Pauses add up: the count for a pause split in two at
any instant is the sum of the counts of the halves, so several pauses may be applied in any order.

Elapsed time (statistics): working_days_between(received, completed) is the number of working days
after the day of receipt that had begun when the case was completed: 0 when completed on the day
of receipt, 1 when on the next working day (or over the weekend after it), and so on. It matches
the deadline rule: working_days_between(start, due_at(start, N)) == N, and it is at most N for
every instant before that due time.

Every datetime given must be timezone-aware; results are in UTC, as the database stores them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

# The default region's zone (Banten's), the default of a calendar built without one. The app builds its
# calendars in the configured region's zone (CalendarSource); modules read it as CaseEngine.zone.
JAKARTA = ZoneInfo("Asia/Jakarta")

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0
_MIDNIGHT = time(0)


class WorkingCalendar:
    """Which days count for an SLA, and deadlines counted in them. Immutable after creation."""

    __slots__ = ("_categories", "_closed_dates", "_zone")

    def __init__(
        self,
        closed_dates: Iterable[date] = (),
        *,
        collective_leave_closed: bool = True,
        zone: ZoneInfo = JAKARTA,
        collective_leave_dates: Iterable[date] = (),
    ) -> None:
        """closed_dates: the admins' closures; collective_leave_dates: the admins' collective leave
        days. Build a new calendar when they change: it is cheap. zone: where days begin and end,
        the region's."""
        closures, leave = frozenset(closed_dates), frozenset(collective_leave_dates)
        for day in closures | leave:
            _require_plain_date(day)
        self._closed_dates = closures | leave if collective_leave_closed else closures
        self._categories: tuple[str, ...] = (PUBLIC, GOVERNMENT) if collective_leave_closed else (PUBLIC,)
        self._zone = zone

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def closed_dates(self) -> frozenset[date]:
        """The admins' days this calendar closes (their collective leave only when it counts)."""
        return self._closed_dates

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, and neither a public holiday, collective leave (see above) nor closed."""
        _require_plain_date(day)
        if day.weekday() >= _SATURDAY or day in self._closed_dates:
            return False
        return day not in _package_holidays(day.year, self._categories)

    def receipt_day(self, received: datetime) -> date:
        """The working day a request received at `received` counts as received on (day 0)."""
        return self._working_day_on_or_after(self._local(received).date())

    def due_at(self, start: datetime, working_days: int) -> datetime:
        """The first instant after an SLA of `working_days` working days that started at `start`."""
        if working_days < 0:
            raise ValueError(f"an SLA cannot be a negative number of working days ({working_days})")
        last_day = self._add_working_days(self.receipt_day(start), working_days)
        return self._start_of_day(last_day + _ONE_DAY).astimezone(UTC)

    def paused_working_days(self, paused_from: datetime, paused_until: datetime) -> int:
        """The working days a pause costs: those whose start falls in [paused_from, paused_until)."""
        _require_order(paused_from, paused_until, "a pause cannot end before it starts")
        return self._count_working_days(
            self._first_day_starting_at_or_after(paused_from), self._first_day_starting_at_or_after(paused_until)
        )

    def extend_due(self, due: datetime, paused_from: datetime, paused_until: datetime) -> datetime:
        """The due time after a pause: moved on by paused_working_days(paused_from, paused_until).

        Whether a pause after the due time should still move it is the case workflow's decision;
        this moves it whenever it is asked to.
        """
        return self.move_due(due, self.paused_working_days(paused_from, paused_until))

    def move_due(self, due: datetime, working_days: int) -> datetime:
        """The due time of an SLA `working_days` working days longer: the day `due` ends moved on
        by that many working days (`due` itself for 0). Pauses move a due time by this; the
        escalation chain's steps fall due by it (a step of 2 working days past a case due at
        00:00 on Friday falls due at 00:00 on Tuesday: Friday and Monday are the two days).

        `due` is expected to come from due_at (local 00:00). Any other instant moves with its own
        time of day kept: its day (the one it ends, for 00:00) is moved on by the working days.
        """
        if working_days < 0:
            raise ValueError(f"a due time cannot move back ({working_days} working days)")
        local_due = self._local(due)
        # For 00:00 the day that ends at `due` is the one before it, hence the step back.
        last_day = (local_due - timedelta(microseconds=1)).date()
        time_into_last_day = local_due - self._start_of_day(last_day)
        moved_last_day = self._add_working_days(last_day, working_days)
        return (self._start_of_day(moved_last_day) + time_into_last_day).astimezone(UTC)

    def working_days_between(self, received: datetime, completed: datetime) -> int:
        """Working days after the day of receipt that had begun by `completed` (see the module docstring)."""
        _require_order(received, completed, "a case cannot be completed before it was received")
        first_counted = self.receipt_day(received) + _ONE_DAY
        return self._count_working_days(first_counted, self._first_day_starting_at_or_after(completed))

    def _local(self, moment: datetime) -> datetime:
        return _require_aware(moment).astimezone(self._zone)

    def _start_of_day(self, day: date) -> datetime:
        return datetime.combine(day, _MIDNIGHT, self._zone)

    def _first_day_starting_at_or_after(self, moment: datetime) -> date:
        local = self._local(moment)
        return local.date() if local.time() == _MIDNIGHT else local.date() + _ONE_DAY

    def _working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def _add_working_days(self, day: date, count: int) -> date:
        """The count-th working day after `day` (`day` itself for 0, whether it is working or not)."""
        # Day by day: an SLA spans weeks, not years, so the plain loop is fast enough and clearly right.
        while count > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                count -= 1
        return day

    def _count_working_days(self, first: date, end: date) -> int:
        """Working days in [first, end)."""
        count = 0
        while first < end:
            if self.is_working_day(first):
                count += 1
            first += _ONE_DAY
        return count


@functools.lru_cache(maxsize=64)
def _package_holidays(year: int, categories: tuple[str, ...]) -> frozenset[date]:
    """One year of the package's holidays, shared by every calendar.

    Shared, so that a calendar built per request (closures change at any time) costs nothing.
    Filled on first use: the very first call loads the package's data for Indonesia, about 0.4 s on
    the reference machine, later years take well under a millisecond; a process that minds the first
    request's latency asks any calendar about any day at start-up. lru_cache keeps itself consistent
    across threads; two threads asking for a new year at once just build it twice.
    """
    return frozenset(holidays.country_holidays("ID", years=year, categories=categories))


def _require_aware(moment: datetime) -> datetime:
    # A naive datetime would silently mean the server's local time, which is UTC in production and
    # anything on a laptop: refuse it rather than be off by seven to nine hours.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is needed, not the naive {moment.isoformat()}")
    return moment


def _require_order(earlier: datetime, later: datetime, message: str) -> None:
    if _require_aware(later) < _require_aware(earlier):
        raise ValueError(f"{message} ({earlier.isoformat()} > {later.isoformat()})")


def _require_plain_date(day: date) -> None:
    # datetime is a subclass of date but never equal to one, so it would never match a holiday.
    if isinstance(day, datetime):
        raise TypeError(f"a date is needed, not the datetime {day.isoformat()}")
