"""What the statistics endpoints answer."""

from __future__ import annotations

from typing import Literal

import msgspec

from serang_app.stats.ikm import Grade
from serang_app.stats.summaries import Dimension


class PeriodOut(msgspec.Struct, kw_only=True, rename={"first": "from", "last": "to"}):
    first: str  # YYYY-MM
    last: str


class CompletionTime(msgspec.Struct, kw_only=True):
    """Working days from receipt to completion, not counting days waiting for the resident."""

    median: float | None
    p90: float | None


class Figures(msgspec.Struct, kw_only=True):
    # The group's key (an agency code, module slug, service code or district code) and its name;
    # null for cases without a district, and for the total.
    key: str | None
    name: str | None
    # Received in the period; of those, still open now.
    received: int
    open: int
    # Closed in the period, by how.
    completed: int
    rejected: int
    cancelled: int
    completion_working_days: CompletionTime
    # Completed in the period with an SLA, and of those before their due time.
    completed_with_sla: int
    completed_within_sla: int
    within_sla_share: float | None
    # Open now (whatever the period) and past their due time.
    overdue_now: int
    # Ratings given in the period.
    ratings: int
    average_rating: float | None


class StatsReport(msgspec.Struct, kw_only=True):
    period: PeriodOut
    group_by: Dimension
    groups: list[Figures]
    total: Figures


class ElementScore(msgspec.Struct, kw_only=True):
    code: str
    name: str
    average: float  # NRR, 1..4


class IkmFigures(msgspec.Struct, kw_only=True):
    key: str | None
    name: str | None
    respondents: int
    elements: list[ElementScore]
    index: float  # 1..4
    converted: float  # 25..100
    grade: Grade
    performance: str


class IkmReport(msgspec.Struct, kw_only=True):
    period: PeriodOut
    group_by: Literal["opd", "service"]
    # Groups without a survey in the period have no index and are left out.
    groups: list[IkmFigures]
    total: IkmFigures | None


class SpbeService(msgspec.Struct, kw_only=True):
    service_code: str
    title: str
    opd_code: str
    opd_name: str
    module: str
    # Every catalogue service is applied for, followed and answered in the app.
    delivered_electronically: bool
    is_open: bool
    sla_days: int | None
    received: int
    completed: int
    rejected: int
    completed_with_sla: int
    completed_within_sla: int
    within_sla_share: float | None
    ikm: float | None
    ikm_grade: Grade | None
    ikm_respondents: int


class SpbeEvidence(msgspec.Struct, kw_only=True):
    regency: str
    period: PeriodOut
    generated_at: str
    services: list[SpbeService]


class PublicAgency(msgspec.Struct, kw_only=True):
    opd_code: str
    short_name: str
    name: str
    received: int
    completed: int
    within_sla_share: float | None


class PublicStats(msgspec.Struct, kw_only=True):
    month: str  # YYYY-MM, in the region's time zone
    # Whose figures these are (identity/deployment.py): a page showing them names the government.
    region_code: str
    region_name: str
    government_name: str
    agencies: list[PublicAgency]
