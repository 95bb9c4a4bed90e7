"""/v1/staff/cases: the agency's inbox, assignment and comments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, QueryParameter
from litestar.response import Response

from serang_app.app_state import case_engine_of, database_of
from serang_app.auth.actor import CaseActor
from serang_app.auth.principal import Principal
from serang_app.cases.lists import InboxFilter, Unassigned, inbox_page
from serang_app.cases.resident_routes import ModuleFilter, PhaseFilter, StatusFilter
from serang_app.cases.routes import CaseId, change_case
from serang_app.cases.schemas import AssignRequest, CaseDetail, CasePage, CommentRequest
from serang_app.cases.search import MAX_QUERY_LENGTH, search_text
from serang_app.cases.staff_actions import assign_case, comment_on_case
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.http.text import PLAIN_TEXT
from serang_app.opds.schemas import OPD_CODE_PATTERN

StaffRequest = Request[Principal, Any, Any]
OpdFilter = Annotated[
    str | None,
    QueryParameter(
        description="An agency's code (admins only; others always see their own).",
        pattern=OPD_CODE_PATTERN,
        required=False,
    ),
]
OverdueFilter = Annotated[bool | None, QueryParameter(description="Only overdue (true) or on-time (false) cases.")]
# A string rather than a union of UUID and "none", which the validator cannot tell apart.
AssigneeFilter = Annotated[
    str | None,
    QueryParameter(
        description="A staff id, or `none` for cases nobody holds.",
        pattern=r"^(none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
        required=False,
    ),
]
DistrictFilter = Annotated[
    str | None, QueryParameter(description="A district code.", pattern=r"^\d{2}\.\d{2}\.\d{2}$", required=False)
]
IncludeClosed = Annotated[bool, QueryParameter(description="Also list completed, rejected and cancelled cases.")]
SearchFilter = Annotated[
    str | None,
    QueryParameter(
        description="Search: a case's reference (`ADU-2612-000001`) or part of it (`2612-000001`), words the "
        'resident wrote (Indonesian, web-search syntax: `banjir`, `"jalan rusak"`, `-sampah`), or the '
        "resident's name, misspelt or not. Combines with every other filter; the order stays by due time.",
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        pattern=PLAIN_TEXT,
        required=False,
    ),
]


class StaffCaseController(Controller):
    path = "/v1/staff/cases"
    tags = ("staff",)

    @get(summary="My agency's cases, soonest due first", opt={"permission": "cases.work", "problems": [422]})
    async def list_agency_cases(
        self,
        request: StaffRequest,
        state: State,
        limit: PageLimit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
        opd: OpdFilter = None,
        module: ModuleFilter = None,
        status: StatusFilter = None,
        phase: PhaseFilter = None,
        overdue: OverdueFilter = None,
        assignee: AssigneeFilter = None,
        district: DistrictFilter = None,
        include_closed: IncludeClosed = False,
        q: SearchFilter = None,
    ) -> CasePage:
        filters = InboxFilter(
            opd_code=opd,
            module=module,
            status=status,
            phase=phase,
            overdue=overdue,
            assignee=_assignee(assignee),
            district_code=district,
            include_closed=include_closed,
            search=search_text(q) if q is not None else None,
        )
        async with database_of(state).acquire() as connection:
            return await inbox_page(
                connection,
                case_engine_of(state).workflows,
                CaseActor.of(request),
                filters,
                limit=limit,
                cursor=cursor,
            )

    @post(
        "/{case_id:uuid}/assign",
        operation_id="assignCase",
        summary="Give a case to an officer of the agency, or back to the pool",
        status_code=200,
        opt={"permission": "cases.work", "problems": [403, 404]},
    )
    async def assign(
        self, request: StaffRequest, state: State, case_id: CaseId, data: JSONBody[AssignRequest]
    ) -> Response[CaseDetail]:
        return await change_case(
            request, state, case_id, lambda connection, actor: assign_case(connection, actor, case_id, data.assignee_id)
        )

    @post(
        "/{case_id:uuid}/comments",
        operation_id="commentOnCase",
        summary="Comment on a case, for staff only or for the resident too",
        status_code=200,
        opt={"permission": "cases.work", "problems": [404]},
    )
    async def comment(
        self, request: StaffRequest, state: State, case_id: CaseId, data: JSONBody[CommentRequest]
    ) -> Response[CaseDetail]:
        return await change_case(
            request,
            state,
            case_id,
            lambda connection, actor: comment_on_case(connection, actor, case_id, data.body, public=data.public),
        )


def _assignee(value: str | None) -> uuid.UUID | Unassigned | None:
    if value == "none":
        return "none"
    return None if value is None else uuid.UUID(value)
