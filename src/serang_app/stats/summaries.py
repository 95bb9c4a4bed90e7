"""Reading the monthly summaries (migrations/0015_statistics.sql): counts and durations per group.

Every read adds the summary rows and the changes still pending (not yet folded in by
folding.py), so the figures are exact at every moment. Nothing here reads the cases table but
the open cases, for "currently overdue", through their partial index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from serang_app.stats.ikm import ELEMENT_CODES
from serang_app.stats.periods import Period

Dimension = Literal["opd", "module", "service", "district"]
# Group keys: the summaries' columns. A case without a district is counted under ''.
COLUMN_OF: dict[Dimension, str] = {
    "opd": "opd_code",
    "module": "module",
    "service": "service_code",
    "district": "district_code",
}
COUNT_COLUMNS = (
    "received",
    "still_open",
    "completed",
    "rejected",
    "cancelled",
    "completed_with_sla",
    "completed_within_sla",
    "ratings",
    "stars",
    *ELEMENT_CODES,
)


@dataclass(frozen=True, slots=True)
class Filters:
    """Which cases count; None is every one."""

    opd: str | None = None
    module: str | None = None
    service: str | None = None
    district: str | None = None

    def arguments(self) -> tuple[str | None, str | None, str | None, str | None]:
        return self.opd, self.module, self.service, self.district


def _filters(first: int, district: str = "district_code") -> str:
    """The filters as parameters $first..$first+3, in Filters order."""
    columns = ("opd_code", "module", "service_code", district)
    return " AND ".join(
        f"(${number}::text IS NULL OR {column} = ${number})" for number, column in enumerate(columns, start=first)
    )


def _counts_query(column: str) -> str:
    sums = ", ".join(f"sum({name})::bigint AS {name}" for name in COUNT_COLUMNS)
    return f"""
SELECT {column} AS key, {sums}
FROM (SELECT * FROM stats_monthly WHERE month BETWEEN $1 AND $2
      UNION ALL
      SELECT * FROM stats_monthly_pending WHERE month BETWEEN $1 AND $2) AS counted
WHERE {_filters(3)}
GROUP BY {column}
"""  # noqa: S608 (constant names only)


def _durations_query(column: str) -> str:
    return f"""
SELECT {column} AS key, working_days, sum(cases)::bigint AS cases
FROM (SELECT * FROM stats_durations WHERE month BETWEEN $1 AND $2
      UNION ALL
      SELECT * FROM stats_durations_pending WHERE month BETWEEN $1 AND $2) AS counted
WHERE {_filters(3)}
GROUP BY {column}, working_days
"""  # noqa: S608 (constant names only)


def _overdue_query(column: str) -> str:
    # Open, with an SLA, past its due time; a paused case is judged when its clock stopped
    # (cases/sla_clock.py is_overdue). $1 is now.
    district = "coalesce(district_code, '')"
    key = district if column == "district_code" else column
    return f"""
SELECT {key} AS key, count(*) AS overdue
FROM cases
WHERE closed_at IS NULL AND due_at IS NOT NULL AND coalesce(paused_since, $1) >= due_at
  AND {_filters(2, district)}
GROUP BY 1
"""  # noqa: S608 (constant names only)


# Built once: the column names come from COLUMN_OF, never from the request.
_COUNTS = {dimension: _counts_query(column) for dimension, column in COLUMN_OF.items()}
_DURATIONS = {dimension: _durations_query(column) for dimension, column in COLUMN_OF.items()}
_OVERDUE = {dimension: _overdue_query(column) for dimension, column in COLUMN_OF.items()}


@dataclass(slots=True)
class GroupSums:
    """What the summaries hold for one group: counts by column, and durations {working days: cases}."""

    counts: Counter[str]
    durations: Counter[int]
    overdue_now: int = 0

    def add(self, other: GroupSums) -> None:
        self.counts.update(other.counts)
        self.durations.update(other.durations)
        self.overdue_now += other.overdue_now


def _empty() -> GroupSums:
    return GroupSums(Counter(), Counter())


async def read_groups(
    connection: asyncpg.Connection, period: Period, group_by: Dimension, filters: Filters, now: datetime
) -> dict[str, GroupSums]:
    """Each group's sums over the period, plus its open cases overdue at `now`."""
    groups: dict[str, GroupSums] = {}
    arguments = (period.first, period.last, *filters.arguments())
    for row in await connection.fetch(_COUNTS[group_by], *arguments):
        groups.setdefault(row["key"], _empty()).counts.update({name: row[name] for name in COUNT_COLUMNS})
    for row in await connection.fetch(_DURATIONS[group_by], *arguments):
        groups.setdefault(row["key"], _empty()).durations[row["working_days"]] += row["cases"]
    for row in await connection.fetch(_OVERDUE[group_by], now, *filters.arguments()):
        groups.setdefault(row["key"], _empty()).overdue_now = row["overdue"]
    return groups


def merged(groups: dict[str, GroupSums]) -> GroupSums:
    total = _empty()
    for sums in groups.values():
        total.add(sums)
    return total
