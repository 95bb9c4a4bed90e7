"""The reports as CSV (RFC 4180), for the spreadsheets agencies report in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TypeVar

import msgspec

from serang_app.stats.ikm import ELEMENT_CODES
from serang_app.stats.schemas import Figures, IkmFigures, IkmReport, SpbeEvidence, StatsReport

# Litestar adds "; charset=utf-8" to every text/* type itself; naming it here too sent it twice.
CSV_MEDIA_TYPE = "text/csv"
Cell = str | int | float | bool | None
_Row = TypeVar("_Row", Figures, IkmFigures)
# A spreadsheet reads a cell starting with one of these as a formula; names come from admins'
# data, so such a cell gets a leading apostrophe (OWASP's advice on CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def stats_csv(report: StatsReport) -> bytes:
    header = (
        "period_from", "period_to", "group_by", "key", "name", "received", "open", "completed", "rejected",
        "cancelled", "median_working_days", "p90_working_days", "completed_with_sla", "completed_within_sla",
        "within_sla_share", "overdue_now", "ratings", "average_rating",
    )  # fmt: skip
    period = (report.period.first, report.period.last, report.group_by)
    rows = [(*period, *_figures_row(figures)) for figures in [*report.groups, _as_total(report.total)]]
    return _csv(header, rows)


def ikm_csv(report: IkmReport) -> bytes:
    header = ("period_from", "period_to", "group_by", "key", "name", "respondents", *ELEMENT_CODES,
              "index", "converted", "grade", "performance")  # fmt: skip
    period = (report.period.first, report.period.last, report.group_by)
    groups = [*report.groups, *([_as_total(report.total)] if report.total else [])]
    return _csv(header, [(*period, *_ikm_row(figures)) for figures in groups])


def spbe_csv(evidence: SpbeEvidence) -> bytes:
    header = (
        "period_from", "period_to", "service_code", "title", "opd_code", "opd_name", "module",
        "delivered_electronically", "is_open", "sla_days", "received", "completed", "rejected",
        "completed_with_sla", "completed_within_sla", "within_sla_share", "ikm", "ikm_grade", "ikm_respondents",
    )  # fmt: skip
    rows = [
        (evidence.period.first, evidence.period.last, *(getattr(service, name) for name in header[2:]))
        for service in evidence.services
    ]
    return _csv(header, rows)


def _figures_row(figures: Figures) -> tuple[Cell, ...]:
    return (
        figures.key, figures.name, figures.received, figures.open, figures.completed, figures.rejected,
        figures.cancelled, figures.completion_working_days.median, figures.completion_working_days.p90,
        figures.completed_with_sla, figures.completed_within_sla, figures.within_sla_share, figures.overdue_now,
        figures.ratings, figures.average_rating,
    )  # fmt: skip


def _ikm_row(figures: IkmFigures) -> tuple[Cell, ...]:
    averages = {element.code: element.average for element in figures.elements}
    return (
        figures.key, figures.name, figures.respondents, *(averages[code] for code in ELEMENT_CODES),
        figures.index, figures.converted, figures.grade, figures.performance,
    )  # fmt: skip


def _as_total(figures: _Row) -> _Row:
    return msgspec.structs.replace(figures, name="Total")


def _csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode()


def _cell(value: Cell) -> Cell:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
