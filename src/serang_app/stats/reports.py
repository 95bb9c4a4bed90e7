"""The three reports: service statistics, the satisfaction index, the SPBE evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from serang_app.http.locale import Locale
from serang_app.stats.formatting import figures_of, ikm_figures_of, period_out, share, sort_key
from serang_app.stats.ikm import ELEMENT_CODES, compute_ikm
from serang_app.stats.names import names_of
from serang_app.stats.periods import Period
from serang_app.stats.schemas import IkmReport, SpbeEvidence, SpbeService, StatsReport
from serang_app.stats.summaries import Dimension, Filters, GroupSums, merged, read_groups

_CATALOGUE = """
SELECT s.code, coalesce(s.title->>$2, s.title->>'id') AS title, s.opd_code, o.name AS opd_name, s.module,
       s.is_open, s.sla_days
FROM catalogue_services s JOIN opds o ON o.code = s.opd_code
WHERE ($1::text IS NULL OR s.opd_code = $1)
ORDER BY s.opd_code, s.sort_order, s.code
"""


@dataclass(frozen=True, slots=True)
class Asked:
    """What every report is asked for: the period, the moment of asking, the caller's language."""

    period: Period
    now: datetime
    locale: Locale
    module_names: Mapping[str, str]

    @property
    def period_text(self) -> str:
        first, last = self.period.label
        return f"{first}-{last}"


async def _named_groups(
    connection: asyncpg.Connection, asked: Asked, group_by: Dimension, filters: Filters
) -> tuple[dict[str, GroupSums], list[tuple[str, str | None]]]:
    """The groups' sums, and each group's key and name in key order ('' last)."""
    groups = await read_groups(connection, asked.period, group_by, filters, asked.now)
    names = await names_of(connection, group_by, [key for key in groups if key], asked.locale, asked.module_names)
    return groups, [(key, names.get(key)) for key in sorted(groups, key=sort_key)]


async def stats_report(
    connection: asyncpg.Connection, asked: Asked, group_by: Dimension, filters: Filters
) -> StatsReport:
    groups, named = await _named_groups(connection, asked, group_by, filters)
    return StatsReport(
        period=period_out(asked.period),
        group_by=group_by,
        groups=[figures_of(key, name, groups[key]) for key, name in named],
        total=figures_of(None, None, merged(groups)),
    )


async def ikm_report(connection: asyncpg.Connection, asked: Asked, group_by: Dimension, filters: Filters) -> IkmReport:
    if group_by not in ("opd", "service"):
        raise ValueError(f"the IKM is grouped by agency or service, not {group_by}")
    groups, named = await _named_groups(connection, asked, group_by, filters)
    rows = (ikm_figures_of(key, name, groups[key], asked.locale) for key, name in named)
    return IkmReport(
        period=period_out(asked.period),
        group_by=group_by,
        groups=[row for row in rows if row is not None],
        total=ikm_figures_of(None, None, merged(groups), asked.locale),
    )


async def spbe_evidence(connection: asyncpg.Connection, asked: Asked, opd: str | None, regency: str) -> SpbeEvidence:
    """One entry per catalogue service (of one agency, or all), with its volume, SLA and IKM."""
    groups = await read_groups(connection, asked.period, "service", Filters(opd=opd), asked.now)
    services = []
    for row in await connection.fetch(_CATALOGUE, opd, asked.locale):
        sums = groups.get(row["code"])
        # A service nobody applied for in the period counts zero everywhere.
        counts: Counter[str] = sums.counts if sums is not None else Counter()
        ikm = compute_ikm(counts["ratings"], {code: counts[code] for code in ELEMENT_CODES})
        services.append(
            SpbeService(
                service_code=row["code"],
                title=row["title"],
                opd_code=row["opd_code"],
                opd_name=row["opd_name"],
                module=row["module"],
                delivered_electronically=True,
                is_open=row["is_open"],
                sla_days=row["sla_days"],
                received=counts["received"],
                completed=counts["completed"],
                rejected=counts["rejected"],
                completed_with_sla=counts["completed_with_sla"],
                completed_within_sla=counts["completed_within_sla"],
                within_sla_share=share(counts["completed_within_sla"], counts["completed_with_sla"]),
                ikm=ikm.converted if ikm else None,
                ikm_grade=ikm.grade if ikm else None,
                ikm_respondents=ikm.respondents if ikm else 0,
            )
        )
    return SpbeEvidence(
        regency=regency,
        period=period_out(asked.period),
        generated_at=asked.now.astimezone(UTC).isoformat(timespec="seconds"),
        services=services,
    )
