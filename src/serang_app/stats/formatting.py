"""Turning summed groups into the figures the endpoints answer with."""

from __future__ import annotations

from serang_app.http.locale import Locale
from serang_app.stats.ikm import ELEMENT_CODES, ELEMENTS, compute_ikm
from serang_app.stats.percentiles import percentile
from serang_app.stats.periods import Period
from serang_app.stats.schemas import CompletionTime, ElementScore, Figures, IkmFigures, PeriodOut
from serang_app.stats.summaries import GroupSums


def period_out(period: Period) -> PeriodOut:
    first, last = period.label
    return PeriodOut(first=first, last=last)


def figures_of(key: str | None, name: str | None, sums: GroupSums) -> Figures:
    counts = sums.counts
    median, p90 = percentile(sums.durations, 0.5), percentile(sums.durations, 0.9)
    return Figures(
        key=key or None,
        name=name,
        received=counts["received"],
        open=counts["still_open"],
        completed=counts["completed"],
        rejected=counts["rejected"],
        cancelled=counts["cancelled"],
        completion_working_days=CompletionTime(
            median=None if median is None else round(median, 2), p90=None if p90 is None else round(p90, 2)
        ),
        completed_with_sla=counts["completed_with_sla"],
        completed_within_sla=counts["completed_within_sla"],
        within_sla_share=share(counts["completed_within_sla"], counts["completed_with_sla"]),
        overdue_now=sums.overdue_now,
        ratings=counts["ratings"],
        average_rating=round(counts["stars"] / counts["ratings"], 2) if counts["ratings"] else None,
    )


def ikm_figures_of(key: str | None, name: str | None, sums: GroupSums, locale: Locale) -> IkmFigures | None:
    ikm = compute_ikm(sums.counts["ratings"], {code: sums.counts[code] for code in ELEMENT_CODES})
    if ikm is None:
        return None
    return IkmFigures(
        key=key or None,
        name=name,
        respondents=ikm.respondents,
        elements=[
            ElementScore(code=code, name=title.in_locale(locale), average=ikm.element_averages[code])
            for code, title in ELEMENTS
        ],
        index=ikm.index,
        converted=ikm.converted,
        grade=ikm.grade,
        performance=ikm.performance.in_locale(locale),
    )


def share(part: int, whole: int) -> float | None:
    """part / whole to four decimals; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def sort_key(key: str) -> tuple[bool, str]:
    """Groups in key order, the one without a key ('') last."""
    return (key == "", key)
