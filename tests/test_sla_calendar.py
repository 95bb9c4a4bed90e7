"""SLA working days against the real 2026 and 2027 Indonesian calendars.

The expected dates were worked out by hand from the decree of public holidays and collective leave
(cuti bersama) for each year, as the `holidays` package carries them:
2026: 1 Jan; 16 Jan; 16 Feb (leave), 17 Feb; 18 Mar (leave), 19 Mar; 20 Mar (leave), 21-22 Mar
      (Idul Fitri, a weekend), 23-24 Mar (leave); 3 Apr; 5 Apr; 1 May; 14 May, 15 May (leave);
      27 May, 28 May (leave); 31 May; 1 Jun; 16 Jun; 17 Aug; 25 Aug; 24 Dec (leave), 25 Dec.
2027: 1 Jan; 5 Jan; 5 Feb (leave), 6 Feb; 8 Mar; 9 Mar (leave), 10-11 Mar (Idul Fitri),
      12 Mar and 15 Mar (leave); 25 Mar (leave), 26 Mar; 28 Mar; 1 May; 6 May; 17 May,
      18-19 May (leave), 20 May; 1 Jun; 6 Jun; 15 Aug; 17 Aug; 24 Dec (leave), 25 Dec; 26 Dec.
test_package_still_has_the_calendar_these_tables_assume fails first if a package update moves any
of the dates the tables lean on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from holidays.constants import GOVERNMENT, PUBLIC
from hypothesis import given, settings
from hypothesis import strategies as st

from serang_app.cases.calendar import JAKARTA, WorkingCalendar

CALENDAR = WorkingCalendar()
# No example database: it would leave a .hypothesis folder in the work tree. No deadline: the first
# example of a run builds a year of holidays, which is slower than the rest.
PROPERTY = settings(database=None, max_examples=200, deadline=None)


def at(text: str) -> datetime:
    """An aware datetime from ISO 8601 text that must carry its offset (+07:00 is WIB)."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def test_package_still_has_the_calendar_these_tables_assume() -> None:
    public_2026 = holidays.country_holidays("ID", years=2026, categories=PUBLIC)
    leave_2026 = holidays.country_holidays("ID", years=2026, categories=GOVERNMENT)
    public_2027 = holidays.country_holidays("ID", years=2027, categories=PUBLIC)
    leave_2027 = holidays.country_holidays("ID", years=2027, categories=GOVERNMENT)

    # Facts anyone can check: Independence Day, Christmas, Nyepi and Idul Fitri 1447 H.
    assert {date(2026, 8, 17), date(2026, 12, 25), date(2026, 3, 19), date(2026, 3, 21)} <= set(public_2026)
    assert {date(2027, 8, 17), date(2027, 12, 25), date(2027, 3, 8), date(2027, 3, 10)} <= set(public_2027)
    # Collective leave is its own category, not a public holiday: the calendar asks for both.
    assert set(leave_2026) == {
        date(2026, 2, 16),
        date(2026, 3, 18),
        date(2026, 3, 20),
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 5, 15),
        date(2026, 5, 28),
        date(2026, 12, 24),
    }
    assert set(leave_2027) == {
        date(2027, 2, 5),
        date(2027, 3, 9),
        date(2027, 3, 12),
        date(2027, 3, 15),
        date(2027, 3, 25),
        date(2027, 5, 18),
        date(2027, 5, 19),
        date(2027, 12, 24),
    }
    assert not set(leave_2026) & set(public_2026)
    assert {date(2027, 1, 5), date(2027, 5, 17), date(2027, 5, 20)} <= set(public_2027)
    assert {date(2026, 1, 16), date(2026, 6, 1), date(2026, 6, 16), date(2026, 8, 25)} <= set(public_2026)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 1, 1), False, id="2026-01-01 Thu New Year"),
        pytest.param(date(2026, 1, 2), True, id="2026-01-02 Fri ordinary"),
        pytest.param(date(2026, 2, 16), False, id="2026-02-16 Mon leave before Imlek"),
        pytest.param(date(2026, 2, 17), False, id="2026-02-17 Tue Imlek"),
        pytest.param(date(2026, 3, 17), True, id="2026-03-17 Tue ordinary"),
        pytest.param(date(2026, 3, 18), False, id="2026-03-18 Wed leave before Nyepi"),
        pytest.param(date(2026, 3, 19), False, id="2026-03-19 Thu Nyepi"),
        pytest.param(date(2026, 3, 20), False, id="2026-03-20 Fri leave before Idul Fitri"),
        pytest.param(date(2026, 3, 21), False, id="2026-03-21 Sat Idul Fitri"),
        pytest.param(date(2026, 3, 23), False, id="2026-03-23 Mon leave after Idul Fitri"),
        pytest.param(date(2026, 3, 24), False, id="2026-03-24 Tue leave after Idul Fitri"),
        pytest.param(date(2026, 3, 25), True, id="2026-03-25 Wed first day back"),
        pytest.param(date(2026, 4, 3), False, id="2026-04-03 Fri Good Friday"),
        pytest.param(date(2026, 5, 15), False, id="2026-05-15 Fri leave after Ascension"),
        pytest.param(date(2026, 8, 17), False, id="2026-08-17 Mon Independence Day"),
        pytest.param(date(2026, 8, 18), True, id="2026-08-18 Tue ordinary"),
        pytest.param(date(2026, 12, 24), False, id="2026-12-24 Thu leave before Christmas"),
        pytest.param(date(2026, 12, 25), False, id="2026-12-25 Fri Christmas"),
        pytest.param(date(2026, 12, 26), False, id="2026-12-26 Sat weekend"),
        pytest.param(date(2026, 12, 27), False, id="2026-12-27 Sun weekend"),
        pytest.param(date(2027, 1, 1), False, id="2027-01-01 Fri New Year"),
        pytest.param(date(2027, 1, 4), True, id="2027-01-04 Mon ordinary"),
        pytest.param(date(2027, 1, 5), False, id="2027-01-05 Tue Isra Mikraj"),
        pytest.param(date(2027, 3, 8), False, id="2027-03-08 Mon Nyepi"),
        pytest.param(date(2027, 3, 9), False, id="2027-03-09 Tue leave before Idul Fitri"),
        pytest.param(date(2027, 3, 10), False, id="2027-03-10 Wed Idul Fitri"),
        pytest.param(date(2027, 3, 11), False, id="2027-03-11 Thu Idul Fitri second day"),
        pytest.param(date(2027, 3, 12), False, id="2027-03-12 Fri leave after Idul Fitri"),
        pytest.param(date(2027, 3, 15), False, id="2027-03-15 Mon leave after Idul Fitri"),
        pytest.param(date(2027, 3, 16), True, id="2027-03-16 Tue first day back"),
        pytest.param(date(2027, 5, 20), False, id="2027-05-20 Thu Waisak"),
        pytest.param(date(2027, 8, 17), False, id="2027-08-17 Tue Independence Day"),
        pytest.param(date(2027, 12, 24), False, id="2027-12-24 Fri leave before Christmas"),
    ],
)
def test_working_days_of_2026_and_2027(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),
        date(2026, 3, 18),
        date(2026, 3, 20),
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 5, 15),
        date(2026, 5, 28),
        date(2026, 12, 24),
        date(2027, 2, 5),
        date(2027, 3, 9),
        date(2027, 3, 12),
        date(2027, 3, 15),
        date(2027, 3, 25),
        date(2027, 5, 18),
        date(2027, 5, 19),
        date(2027, 12, 24),
    ],
    ids=str,
)
def test_collective_leave_counts_only_when_asked(day: date) -> None:
    assert not CALENDAR.is_working_day(day)
    assert WorkingCalendar(collective_leave_closed=False).is_working_day(day)


def test_public_holidays_stay_closed_when_collective_leave_counts() -> None:
    staffed = WorkingCalendar(collective_leave_closed=False)
    assert not staffed.is_working_day(date(2026, 8, 17))
    assert not staffed.is_working_day(date(2027, 3, 10))


@pytest.mark.parametrize(
    ("start", "working_days", "due"),
    [
        # The done-when case: Friday afternoon, Monday 17 August is Independence Day.
        pytest.param("2026-08-14T15:00+07:00", 1, "2026-08-19T00:00+07:00", id="Fri before Independence Day, 1"),
        pytest.param("2026-08-14T15:00+07:00", 3, "2026-08-21T00:00+07:00", id="Fri before Independence Day, 3"),
        # Monday 1 June is Pancasila Day; Thursday 28 May before it is leave, Friday is not.
        pytest.param("2026-05-29T14:30+07:00", 1, "2026-06-03T00:00+07:00", id="Fri before Pancasila Day"),
        pytest.param("2026-09-12T10:00+07:00", 2, "2026-09-17T00:00+07:00", id="Saturday counts as Monday"),
        pytest.param("2026-08-15T10:00+07:00", 1, "2026-08-20T00:00+07:00", id="Saturday before a Monday holiday"),
        pytest.param("2026-08-17T09:00+07:00", 3, "2026-08-22T00:00+07:00", id="on Independence Day"),
        # 18 Mar leave, 19 Nyepi, 20 leave, 21-22 Idul Fitri on the weekend, 23-24 leave.
        pytest.param("2026-03-17T10:00+07:00", 3, "2026-03-28T00:00+07:00", id="over Nyepi and Idul Fitri 2026"),
        # 8 Mar Nyepi, 9 leave, 10-11 Idul Fitri, 12 and 15 leave.
        pytest.param("2027-03-05T13:00+07:00", 2, "2027-03-18T00:00+07:00", id="over Nyepi and Idul Fitri 2027"),
        # 24 Dec leave, 25 Christmas, 28-31 Dec, 1 Jan New Year, 4 Jan, 5 Jan Isra Mikraj, 6 Jan.
        pytest.param("2026-12-23T14:00+07:00", 5, "2027-01-05T00:00+07:00", id="into 2027"),
        pytest.param("2026-12-23T14:00+07:00", 6, "2027-01-07T00:00+07:00", id="into 2027 over Isra Mikraj"),
        pytest.param("2026-09-07T10:00+07:00", 0, "2026-09-08T00:00+07:00", id="zero days: end of receipt day"),
        pytest.param("2026-09-12T10:00+07:00", 0, "2026-09-15T00:00+07:00", id="zero days from a Saturday"),
        pytest.param("2026-09-07T00:00+07:00", 1, "2026-09-09T00:00+07:00", id="received at 00:00 WIB"),
        # Time zone: 16:30Z is 23:30 WIB on Friday; 17:30Z is already Saturday 00:30 WIB.
        pytest.param("2026-08-14T16:30+00:00", 1, "2026-08-19T00:00+07:00", id="Fri 23:30 WIB given in UTC"),
        pytest.param("2026-08-14T17:30+00:00", 1, "2026-08-20T00:00+07:00", id="Sat 00:30 WIB given in UTC"),
        pytest.param("2026-09-07T16:30+00:00", 1, "2026-09-09T00:00+07:00", id="Mon 23:30 WIB given in UTC"),
        pytest.param("2026-09-07T17:30+00:00", 1, "2026-09-10T00:00+07:00", id="Tue 00:30 WIB given in UTC"),
        # 08:00 in Jayapura (WIT, +09:00) is 06:00 WIB the same Monday.
        pytest.param("2026-09-07T08:00+09:00", 1, "2026-09-09T00:00+07:00", id="given in WIT"),
    ],
)
def test_due_at(start: str, working_days: int, due: str) -> None:
    result = CALENDAR.due_at(at(start), working_days)

    assert result == at(due)
    assert result.tzinfo is UTC


def test_due_at_counts_collective_leave_when_asked() -> None:
    # Without the leave days, 18, 20 and 23 March 2026 are working days.
    staffed = WorkingCalendar(collective_leave_closed=False)
    assert staffed.due_at(at("2026-03-17T10:00+07:00"), 3) == at("2026-03-24T00:00+07:00")


@pytest.mark.parametrize(
    ("closed", "start", "due"),
    [
        pytest.param(set[date](), "2026-10-02T10:00+07:00", "2026-10-06T00:00+07:00", id="no closure"),
        pytest.param({date(2026, 10, 5)}, "2026-10-02T10:00+07:00", "2026-10-07T00:00+07:00", id="Monday closed"),
        pytest.param(
            {date(2026, 10, 5)}, "2026-10-05T10:00+07:00", "2026-10-08T00:00+07:00", id="received when closed"
        ),
        pytest.param(
            {date(2026, 10, 5), date(2026, 10, 6)}, "2026-10-02T10:00+07:00", "2026-10-08T00:00+07:00", id="two closed"
        ),
        # A closure on a day that is closed anyway changes nothing.
        pytest.param({date(2026, 8, 17)}, "2026-08-14T15:00+07:00", "2026-08-19T00:00+07:00", id="closure on holiday"),
    ],
)
def test_admin_closures(closed: set[date], start: str, due: str) -> None:
    calendar = WorkingCalendar(closed)

    assert calendar.due_at(at(start), 1) == at(due)
    assert calendar.closed_dates == frozenset(closed)


@pytest.mark.parametrize(
    ("paused_from", "paused_until", "lost"),
    [
        pytest.param("2026-09-08T10:00+07:00", "2026-09-11T10:00+07:00", 3, id="Tue 10:00 to Fri 10:00"),
        pytest.param("2026-09-07T00:00+07:00", "2026-09-10T00:00+07:00", 3, id="Mon 00:00 to Thu 00:00"),
        pytest.param("2026-09-08T10:00+07:00", "2026-09-08T15:00+07:00", 0, id="within one day"),
        pytest.param("2026-09-08T10:00+07:00", "2026-09-08T10:00+07:00", 0, id="no time at all"),
        pytest.param("2026-09-11T16:00+07:00", "2026-09-14T09:00+07:00", 1, id="Fri 16:00 to Mon 09:00"),
        pytest.param("2026-09-10T14:00+07:00", "2026-09-15T09:00+07:00", 3, id="Thu to Tue over a weekend"),
        pytest.param("2026-09-12T10:00+07:00", "2026-09-13T18:00+07:00", 0, id="Saturday to Sunday"),
        pytest.param("2026-09-12T10:00+07:00", "2026-09-15T10:00+07:00", 2, id="Saturday to Tuesday"),
        pytest.param("2026-08-14T16:00+07:00", "2026-08-18T09:00+07:00", 1, id="over a weekend and a holiday"),
        # Of 18-26 March only 25 and 26 are working days.
        pytest.param("2026-03-17T10:00+07:00", "2026-03-26T10:00+07:00", 2, id="over Idul Fitri 2026"),
        pytest.param("2026-09-08T03:00+00:00", "2026-09-11T03:00+00:00", 3, id="given in UTC"),
    ],
)
def test_paused_working_days(paused_from: str, paused_until: str, lost: int) -> None:
    assert CALENDAR.paused_working_days(at(paused_from), at(paused_until)) == lost


@pytest.mark.parametrize(
    ("start", "working_days", "due", "paused_from", "paused_until", "extended"),
    [
        # The done-when case: a pause of three working days moves the due time by three.
        pytest.param(
            "2026-09-07T09:00+07:00",
            5,
            "2026-09-15T00:00+07:00",
            "2026-09-08T10:00+07:00",
            "2026-09-11T10:00+07:00",
            "2026-09-18T00:00+07:00",
            id="three working days",
        ),
        pytest.param(
            "2026-09-07T09:00+07:00",
            5,
            "2026-09-15T00:00+07:00",
            "2026-09-10T14:00+07:00",
            "2026-09-15T09:00+07:00",
            "2026-09-18T00:00+07:00",
            id="three working days over a weekend",
        ),
        # The last day was Monday 15 June; Tuesday 16 June (Islamic New Year) is skipped.
        pytest.param(
            "2026-06-08T09:00+07:00",
            5,
            "2026-06-16T00:00+07:00",
            "2026-06-09T10:00+07:00",
            "2026-06-12T10:00+07:00",
            "2026-06-20T00:00+07:00",
            id="three working days, moved over a holiday",
        ),
        # Lost: 21, 22 and 23 December. Moved over 24 (leave) and 25 (Christmas) December.
        pytest.param(
            "2026-12-14T09:00+07:00",
            5,
            "2026-12-22T00:00+07:00",
            "2026-12-18T10:00+07:00",
            "2026-12-23T10:00+07:00",
            "2026-12-29T00:00+07:00",
            id="three working days at Christmas",
        ),
        pytest.param(
            "2026-09-07T09:00+07:00",
            5,
            "2026-09-15T00:00+07:00",
            "2026-09-12T09:00+07:00",
            "2026-09-13T09:00+07:00",
            "2026-09-15T00:00+07:00",
            id="a weekend pause moves nothing",
        ),
    ],
)
def test_extend_due(
    start: str, working_days: int, due: str, paused_from: str, paused_until: str, extended: str
) -> None:
    original = CALENDAR.due_at(at(start), working_days)
    assert original == at(due)

    result = CALENDAR.extend_due(original, at(paused_from), at(paused_until))

    assert result == at(extended)
    assert result.tzinfo is UTC


def test_extend_due_keeps_the_time_of_a_due_that_is_not_midnight() -> None:
    # A due time set by hand at Wednesday 15:00 moves three working days to Monday 15:00.
    due = at("2026-09-09T15:00+07:00")
    pause = (at("2026-09-08T10:00+07:00"), at("2026-09-11T10:00+07:00"))

    assert CALENDAR.extend_due(due, *pause) == at("2026-09-14T15:00+07:00")


@pytest.mark.parametrize(
    ("received", "completed", "elapsed"),
    [
        pytest.param("2026-09-07T10:00+07:00", "2026-09-07T15:00+07:00", 0, id="same day"),
        pytest.param("2026-09-07T10:00+07:00", "2026-09-08T00:00+07:00", 0, id="at the end of the same day"),
        pytest.param("2026-09-07T10:00+07:00", "2026-09-08T09:00+07:00", 1, id="next morning"),
        pytest.param("2026-09-07T10:00+07:00", "2026-09-11T16:00+07:00", 4, id="Monday to Friday"),
        pytest.param("2026-08-14T15:00+07:00", "2026-08-15T10:00+07:00", 0, id="Friday to Saturday"),
        pytest.param("2026-08-14T15:00+07:00", "2026-08-18T09:00+07:00", 1, id="over a weekend and a holiday"),
        pytest.param("2026-08-15T10:00+07:00", "2026-08-18T09:00+07:00", 0, id="received on Saturday"),
        pytest.param("2026-03-17T10:00+07:00", "2026-03-25T10:00+07:00", 1, id="over Idul Fitri 2026"),
        # 28-31 Dec, 4 Jan, 6 Jan and 7 Jan 2027.
        pytest.param("2026-12-23T10:00+07:00", "2027-01-07T10:00+07:00", 7, id="into 2027"),
        pytest.param("2026-08-14T16:30+00:00", "2026-08-18T02:00+00:00", 1, id="Fri 23:30 WIB in UTC"),
        pytest.param("2026-08-14T17:30+00:00", "2026-08-18T02:00+00:00", 0, id="Sat 00:30 WIB in UTC"),
    ],
)
def test_working_days_between(received: str, completed: str, elapsed: int) -> None:
    assert CALENDAR.working_days_between(at(received), at(completed)) == elapsed


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 9, 7, 10, 0)
    aware = at("2026-09-07T10:00+07:00")
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.due_at(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.working_days_between(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.paused_working_days(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.extend_due(naive, aware, aware)


def test_impossible_arguments_are_refused() -> None:
    earlier, later = at("2026-09-07T10:00+07:00"), at("2026-09-08T10:00+07:00")
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.due_at(earlier, -1)
    with pytest.raises(ValueError, match="pause"):
        CALENDAR.paused_working_days(later, earlier)
    with pytest.raises(ValueError, match="completed before"):
        CALENDAR.working_days_between(later, earlier)
    # A datetime is a date to Python, but would never equal a holiday's date.
    with pytest.raises(TypeError):
        CALENDAR.is_working_day(later)
    with pytest.raises(TypeError):
        WorkingCalendar([later])


# Properties over 2026-2027. A due time lands in 2028 for late starts, whose holidays the package
# estimates; the properties hold whatever the holidays are.
starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31, 23, 59), timezones=st.just(UTC))
sla_days = st.integers(min_value=0, max_value=60)
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))


@PROPERTY
@given(start=starts, working_days=sla_days)
def test_due_is_the_end_of_a_working_day_n_working_days_later(start: datetime, working_days: int) -> None:
    due = CALENDAR.due_at(start, working_days)
    local_due = due.astimezone(JAKARTA)

    assert due.utcoffset() == timedelta(0)
    assert due > start
    assert local_due.time() == time(0)
    assert CALENDAR.is_working_day(local_due.date() - timedelta(days=1))
    assert CALENDAR.working_days_between(start, due) == working_days
    # Any instant before the due time is within the SLA.
    assert CALENDAR.working_days_between(start, due - timedelta(microseconds=1)) == working_days
    assert CALENDAR.due_at(start, working_days + 1) > due


@PROPERTY
@given(start=starts, working_days=sla_days, wait=spans, length=spans)
def test_a_pause_of_k_working_days_is_k_more_days_of_sla(
    start: datetime, working_days: int, wait: timedelta, length: timedelta
) -> None:
    paused_from = start + wait
    paused_until = paused_from + length
    lost = CALENDAR.paused_working_days(paused_from, paused_until)

    extended = CALENDAR.extend_due(CALENDAR.due_at(start, working_days), paused_from, paused_until)

    assert extended == CALENDAR.due_at(start, working_days + lost)


@PROPERTY
@given(paused_from=starts, first=spans, second=spans)
def test_pauses_add_up(paused_from: datetime, first: timedelta, second: timedelta) -> None:
    resumed = paused_from + first
    paused_until = resumed + second

    whole = CALENDAR.paused_working_days(paused_from, paused_until)

    assert whole == CALENDAR.paused_working_days(paused_from, resumed) + CALENDAR.paused_working_days(
        resumed, paused_until
    )
    # The two counts differ only by the day the pause starts on: a pause starting at 00:00 of a
    # working day, or on a closed day before one, costs that working day too.
    elapsed = CALENDAR.working_days_between(paused_from, paused_until)
    assert elapsed <= whole <= elapsed + 1
