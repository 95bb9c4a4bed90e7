"""/v1/cases/{id}: a case's detail with its timeline, its workflow actions, its rating.

Residents and staff share these paths; what each may see and do is decided per case (actors.py):
a case the caller may not see answers 404 whether or not it exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import HeaderParameter, JSONBody, PathParameter
from litestar.response import Response

from serang_app.app_state import case_engine_of, database_of
from serang_app.auth.actor import SYSTEM_ACTOR, CaseActor
from serang_app.auth.principal import Principal
from serang_app.cases.rating import rate_case
from serang_app.cases.reading import detail_of, read_visible_case
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.schemas import ActionRequest, CaseDetail, RatingRequest
from serang_app.cases.transitions import etag_of, take_offered_action, version_in
from serang_app.http.openapi import IF_MATCH_REQUIRED_OPT
from serang_app.http.problems import ApiError

CaseRequest = Request[Principal, Any, Any]
CaseId = Annotated[uuid.UUID, PathParameter(description="The case's id (not its reference number).")]
CaseReference = Annotated[
    str,
    PathParameter(
        description="The case's public reference number (`ADU-2612-000001`), as printed and told to the resident.",
        pattern=r"^[A-Za-z]{2,5}-[0-9]{4}-[0-9]{6}$",
    ),
]
ActionCode = Annotated[
    str, PathParameter(description="One of the case's `allowed_actions`.", pattern=r"^[a-z][a-z0-9_]{0,40}$")
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description='The ETag of the case as last read (`"7"`): a case changed since answers 412.',
        min_length=1,
        max_length=20,
        required=False,
    ),
]
# If-Match is read as optional so that leaving it out answers 428 (RFC 6585) rather than the
# generic validation error: the client forgot a precondition, which is not a malformed request.
# The OpenAPI document marks it required (IF_MATCH_REQUIRED_OPT).


class CaseController(Controller):
    path = "/v1/cases"
    tags = ("cases",)

    @get("/{case_id:uuid}", summary="A case with its timeline", opt={"permission": "cases.read", "problems": [404]})
    async def get_case(self, request: CaseRequest, state: State, case_id: CaseId) -> Response[CaseDetail]:
        async with database_of(state).acquire() as connection:
            return await case_answer(connection, CaseActor.of(request), case_id, case_engine_of(state).workflows)

    @get(
        "/by-reference/{reference:str}",
        operation_id="getCaseByReference",
        summary="A case found by its reference number, with its timeline",
        opt={"permission": "cases.read", "problems": [404]},
    )
    async def get_case_by_reference(
        self, request: CaseRequest, state: State, reference: CaseReference
    ) -> Response[CaseDetail]:
        async with database_of(state).acquire() as connection:
            case_id = await connection.fetchval("SELECT id FROM cases WHERE reference = $1", reference.upper())
            if case_id is None:
                raise ApiError(404)
            # The same check as by id: a case the caller may not see is 404 whether or not it exists.
            return await case_answer(connection, CaseActor.of(request), case_id, case_engine_of(state).workflows)

    @post(
        "/{case_id:uuid}/actions/{action:str}",
        summary="Take a workflow action",
        status_code=200,
        opt={"permission": "cases.act", "problems": [403, 404, 409, 412, 428], IF_MATCH_REQUIRED_OPT: True},
    )
    async def act_on_case(
        self,
        request: CaseRequest,
        state: State,
        case_id: CaseId,
        action: ActionCode,
        if_match: IfMatch = None,
        data: JSONBody[ActionRequest | None] = None,
    ) -> Response[CaseDetail]:
        if if_match is None:
            raise ApiError(428)
        expected_version = version_in(if_match)
        note = data.note if data else None
        upload_ids = data.upload_ids if data else []
        opd_code = data.opd_code if data else None
        return await change_case(
            request,
            state,
            case_id,
            lambda connection, actor: take_offered_action(
                case_engine_of(state),
                connection,
                actor,
                case_id,
                action,
                expected_version=expected_version,
                note=note,
                upload_ids=upload_ids,
                opd_code=opd_code,
            ),
        )

    @post(
        "/{case_id:uuid}/rating",
        operation_id="rateCase",
        summary="Rate a completed case (once), with the satisfaction survey",
        status_code=200,
        opt={"permission": "cases.rate", "problems": [404, 409]},
    )
    async def rate(
        self, request: CaseRequest, state: State, case_id: CaseId, data: JSONBody[RatingRequest]
    ) -> Response[CaseDetail]:
        return await change_case(
            request,
            state,
            case_id,
            lambda connection, actor: rate_case(case_engine_of(state), connection, actor, case_id, data),
        )


async def change_case(
    request: CaseRequest,
    state: State,
    case_id: uuid.UUID,
    change: Callable[[asyncpg.Connection, CaseActor], Awaitable[object]],
) -> Response[CaseDetail]:
    """Run one change in a transaction, then answer with the case as the caller now sees it.

    A change that took the case out of the caller's sight (forwarded to another agency) answers
    the case as it left them, with no actions left to take.
    """
    actor = CaseActor.of(request)
    workflows = case_engine_of(state).workflows
    async with database_of(state).acquire() as connection:
        async with connection.transaction():
            await change(connection, actor)
        if await read_visible_case(connection, actor, case_id) is None:
            row = await read_visible_case(connection, SYSTEM_ACTOR, case_id)
            assert row is not None  # the change above found it, and cases are never deleted
            detail = msgspec.structs.replace(await detail_of(connection, row, actor, workflows), allowed_actions=[])
            return Response(detail, headers={"ETag": etag_of(detail.version)})
        return await case_answer(connection, actor, case_id, workflows)


async def case_answer(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, workflows: WorkflowRegistry
) -> Response[CaseDetail]:
    """The case as the actor sees it now, with its ETag: the answer to every change."""
    row = await read_visible_case(connection, actor, case_id)
    if row is None:
        raise ApiError(404)
    detail = await detail_of(connection, row, actor, workflows)
    return Response(detail, headers={"ETag": etag_of(detail.version)})
