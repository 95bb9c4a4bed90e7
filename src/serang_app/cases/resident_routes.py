"""GET /v1/me/cases: every request of the signed-in resident, of every module, in one list."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import QueryParameter

from serang_app.app_state import case_engine_of, database_of
from serang_app.auth.permissions import ACCOUNT_CHECKED_BY_ROUTE_OPT
from serang_app.auth.principal import Principal
from serang_app.cases.lists import ResidentFilter, resident_page
from serang_app.cases.schemas import CasePage
from serang_app.cases.workflow import Phase
from serang_app.http.instants import ISO_INSTANT, instant_in
from serang_app.http.json_bytes import JsonBytes
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit

StatusFilter = Annotated[
    str | None, QueryParameter(description="A module's status code.", pattern=r"^[a-z][a-z0-9_]{0,40}$", required=False)
]
ModuleFilter = Annotated[
    str | None, QueryParameter(description="A module's slug.", pattern=r"^[a-z][a-z0-9_]{1,30}$", required=False)
]
PhaseFilter = Annotated[Phase | None, QueryParameter(description="The shared phase.", required=False)]
# Text with a pattern rather than a datetime: the validator would also take a bare number as a
# Unix time, and a client sending one has a bug worth a 422. The document says `date-time` too,
# like every other instant, so generated clients type it as one; the pattern stays because the
# route also takes an instant without seconds (`2026-11-27T08:00+07:00`).
UpdatedSince = Annotated[
    str | None,
    QueryParameter(
        description="Only cases changed after this instant (ISO 8601 with its offset), oldest change "
        "first (delta sync): keep the `updated_at` of the last item seen and send it next time.",
        pattern=ISO_INSTANT,
        required=False,
        schema_extra={"format": OpenAPIFormat.DATE_TIME},
    ),
]


@get(
    "/v1/me/cases",
    tags=["me", "cases"],
    summary="My cases in every module, newest first",
    opt={"permission": "cases.own", "problems": [422], ACCOUNT_CHECKED_BY_ROUTE_OPT: True},
    # The page is answered as bytes encoded once (below); the document still names its schema.
    responses={200: ResponseSpec(CasePage, description="Request fulfilled, document follows", generate_examples=False)},
)
async def list_my_cases(
    request: Request[Principal, Any, Any],
    state: State,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
    phase: PhaseFilter = None,
    status: StatusFilter = None,
    module: ModuleFilter = None,
    updated_since: UpdatedSince = None,
) -> JsonBytes:
    since = instant_in("updated_since", updated_since) if updated_since is not None else None
    filters = ResidentFilter(phase=phase, status=status, module=module, updated_since=since)
    async with database_of(state).acquire() as connection:
        body = await resident_page(
            connection,
            case_engine_of(state).workflows,
            request.user.id,
            filters,
            limit=limit,
            cursor=cursor,
            session_id=request.user.session_id,
        )
    # Sent as encoded (the bytes a returned CasePage would give, cases/summary_bytes.py): Litestar's
    # Response for a returned struct (type checks through typing's generic aliases, headers
    # normalised, then an ASGIResponse anyway) cost this, the app's most frequent request, 3-4 % of
    # its time, and the ASGIResponse another 4 % (docs/performance.md).
    return JsonBytes(body)
