"""/v1/admin/stats: service statistics, the satisfaction index and the SPBE evidence, as JSON or
CSV (Accept: text/csv). Supervisors see their own agency's; admins every agency's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from serang_app.app_state import case_engine_of, settings_of
from serang_app.auth.principal import Principal
from serang_app.http.locale import negotiate_locale
from serang_app.http.openapi import CSV_OPT
from serang_app.http.problems import ApiError
from serang_app.http.text import PLAIN_TEXT
from serang_app.regions.reference_data import regencies
from serang_app.settings import DEFAULT_REGION
from serang_app.stats.csv_output import CSV_MEDIA_TYPE, ikm_csv, spbe_csv, stats_csv
from serang_app.stats.periods import period_from_query
from serang_app.stats.reports import Asked, ikm_report, spbe_evidence, stats_report
from serang_app.stats.schemas import IkmReport, SpbeEvidence, StatsReport
from serang_app.stats.sources import module_names_of, stats_database_of
from serang_app.stats.summaries import Dimension, Filters

StaffRequest = Request[Principal, Any, Any]
_OPT = {"permission": "stats.read", CSV_OPT: True, "problems": [403]}
_Report = TypeVar("_Report", StatsReport, IkmReport, SpbeEvidence)

FromMonth = Annotated[
    str | None,
    QueryParameter(
        name="from",
        description="First month, YYYY-MM (local time); the last month, or this month, when left out",
        max_length=7,
        pattern=PLAIN_TEXT,
    ),
]
ToMonth = Annotated[
    str | None,
    QueryParameter(
        name="to",
        description="Last month, YYYY-MM, included; the first month when left out",
        max_length=7,
        pattern=PLAIN_TEXT,
    ),
]
OpdFilter = Annotated[
    str | None,
    QueryParameter(description="Only this agency (supervisors: their own)", pattern=r"^[A-Z][A-Z0-9_]{1,31}$"),
]
ModuleFilter = Annotated[str | None, QueryParameter(description="Only this module", pattern=r"^[a-z][a-z0-9_]{1,30}$")]
ServiceFilter = Annotated[
    str | None, QueryParameter(description="Only this service", min_length=3, max_length=80, pattern=PLAIN_TEXT)
]
GroupBy = Annotated[Dimension, QueryParameter(description="What the figures are grouped by")]
IkmGroupBy = Annotated[Literal["opd", "service"], QueryParameter(description="What the index is grouped by")]
DistrictFilter = Annotated[
    str | None,
    QueryParameter(
        description=f"Only this district (kecamatan), e.g. {DEFAULT_REGION}.05", pattern=r"^\d{2}\.\d{2}\.\d{2}$"
    ),
]


def _agency_in_reach(request: StaffRequest, opd: str | None) -> str | None:
    """The agency the caller may look at: any for admins (None is all), a supervisor's own."""
    principal = request.user
    if principal.role == "admin":
        return opd
    if opd is not None and opd != principal.opd_code:
        raise ApiError(403, "stats_other_agency")
    return principal.opd_code


def _negotiated(
    request: StaffRequest, report: _Report, to_csv: Callable[[_Report], bytes], filename: str
) -> Response[Any]:
    wanted = request.accept.best_match(["application/json", "text/csv"], default="application/json")
    if wanted == "text/csv":
        return Response(
            to_csv(report),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    return Response(report)


def _asked(request: StaffRequest, state: State, period_from: str | None, period_to: str | None) -> Asked:
    engine = case_engine_of(state)
    now = engine.now()
    return Asked(
        period=period_from_query(period_from, period_to, now, engine.zone),
        now=now,
        locale=negotiate_locale(request.headers.get("accept-language")),
        module_names=module_names_of(state),
    )


class StatsController(Controller):
    path = "/v1/admin/stats"
    tags = ("admin",)
    opt = _OPT

    @get(summary="Service statistics for a period, by agency, module, service or district")
    async def service_statistics(
        self,
        request: StaffRequest,
        state: State,
        period_from: FromMonth = None,
        period_to: ToMonth = None,
        group_by: GroupBy = "opd",
        opd: OpdFilter = None,
        module: ModuleFilter = None,
        service: ServiceFilter = None,
        district: DistrictFilter = None,
    ) -> Response[StatsReport]:
        asked = _asked(request, state, period_from, period_to)
        filters = Filters(opd=_agency_in_reach(request, opd), module=module, service=service, district=district)
        async with stats_database_of(state).acquire() as connection:
            report = await stats_report(connection, asked, group_by, filters)
        return _negotiated(request, report, stats_csv, f"statistik-{asked.period_text}")

    @get("/ikm", summary="The satisfaction index (IKM, PermenPANRB 14/2017) by agency or service")
    async def satisfaction_index(
        self,
        request: StaffRequest,
        state: State,
        period_from: FromMonth = None,
        period_to: ToMonth = None,
        group_by: IkmGroupBy = "opd",
        opd: OpdFilter = None,
        service: ServiceFilter = None,
    ) -> Response[IkmReport]:
        asked = _asked(request, state, period_from, period_to)
        filters = Filters(opd=_agency_in_reach(request, opd), service=service)
        async with stats_database_of(state).acquire() as connection:
            report = await ikm_report(connection, asked, group_by, filters)
        return _negotiated(request, report, ikm_csv, f"ikm-{asked.period_text}")

    @get("/spbe", summary="The SPBE evidence: per service, electronic delivery, volume, SLA compliance and IKM")
    async def spbe_evidence_export(
        self,
        request: StaffRequest,
        state: State,
        period_from: FromMonth = None,
        period_to: ToMonth = None,
        opd: OpdFilter = None,
    ) -> Response[SpbeEvidence]:
        asked = _asked(request, state, period_from, period_to)
        async with stats_database_of(state).acquire() as connection:
            # The regency or city the service covers (SERANG_REGION_CODE), by its Kemendagri name.
            regency = regencies()[settings_of(state).region_code].name
            evidence = await spbe_evidence(connection, asked, _agency_in_reach(request, opd), regency)
        return _negotiated(request, evidence, spbe_csv, f"spbe-{asked.period_text}")
