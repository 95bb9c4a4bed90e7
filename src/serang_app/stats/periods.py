"""Periods of statistics: whole calendar months in the region's time zone (docs/time-zones.md).

Figures are kept per month (migrations/0015_statistics.sql): agencies report monthly, by semester
and by year, and whole months keep the summaries small enough to answer a year over a million
cases at once. A period is a first and a last month, both included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from serang_app.http.problems import ApiError, LocalizedFieldError

MAX_MONTHS = 36
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @property
    def label(self) -> tuple[str, str]:
        return self.first.strftime("%Y-%m"), self.last.strftime("%Y-%m")


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    """The first day of the month `moment` falls in, in `zone` (the month the database's
    stats_month gives: its zone is kept equal, stats/time_zone.py)."""
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def period_from_query(first: str | None, last: str | None, now: datetime, zone: ZoneInfo) -> Period:
    """The period `from`..`to` (YYYY-MM each, both included). One alone is a single month; none
    is the current month in the region's zone."""
    current = month_of(now, zone)
    end = _parse("to", last) if last else None
    start = _parse("from", first) if first else (end or current)
    end = end or start
    if end < start:
        raise ApiError(
            422,
            errors=[LocalizedFieldError("to", "Bulan akhir sebelum bulan awal", "The last month is before the first")],
        )
    if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "to", f"Periode paling lama {MAX_MONTHS} bulan", f"A period is at most {MAX_MONTHS} months"
                )
            ],
        )
    return Period(start, end)


def _parse(field: str, value: str) -> date:
    match = _MONTH.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ApiError(
            422,
            errors=[LocalizedFieldError(field, "Gunakan bulan berformat YYYY-MM", "Give a month as YYYY-MM")],
        )
    return date(int(match.group(1)), int(match.group(2)), 1)
