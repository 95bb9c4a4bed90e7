"""/v1/permits/definitions: services defined as data. Residents list and fetch the published ones
(the form the app renders); admins write drafts, preview and try them, publish, close, export and
import, every change audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.api import (
    CACHED_OPT,
    NOT_MODIFIED,
    AttributeAnswer,
    CachedJson,
    CaseEngine,
    Database,
    OfferedAnswers,
    Principal,
    Text,
    answer_problems,
    letterhead_of,
    offered_answers,
    public_base_url,
    record_by_caller,
)
from serang_app.modules.permits import definitions
from serang_app.modules.permits.definition import (
    MAX_FILE_BYTES,
    AdminDefinition,
    DefinitionFile,
    PublishedService,
    PublishedServiceList,
    TrialAnswers,
    TrialProblem,
    TrialResult,
)
from serang_app.modules.permits.letters import LetterContent, draw_letter
from serang_app.modules.permits.previews import draft_preview, sample_letter
from serang_app.modules.permits.schemas import CODE_PATTERN
from serang_app.modules.permits.visibility import without_hidden

SignedIn = Request[Principal, Any, Any]
DefinitionPath = Annotated[str, PathParameter(description="The service's code.", pattern=CODE_PATTERN)]
_MANAGE = {"permission": "permits.definitions.manage"}


@get("/definitions", summary="The services residents may apply for, each with its form", opt={"public": True})
async def service_list(database: NamedDependency[Database]) -> PublishedServiceList:
    async with database.acquire() as connection:
        return await definitions.published_services(connection)


# The app fetches a definition before every form: it may keep it a minute, then asks again with
# If-None-Match and gets 304 while nothing was published (a publication shows within a minute).
DEFINITION_MAX_AGE = 60
# Each web process keeps the encoded answer of the latest published versions fetched, by code (the
# answer holds both languages; nothing personal, never a draft), and drops them all when the
# catalogue changes anywhere: publishing, closing, reopening and importing all announce it on
# commit (definitions._offer). Should the listener be down, an answer is read again after
# SERANG_CATALOGUE_CACHE_SECONDS (docs/services.md, "Fetching a definition").
CACHED_DEFINITIONS = "permits.definitions"
MAX_CACHED_DEFINITIONS = 512


def cached_definitions(state: Any) -> OfferedAnswers:
    return offered_answers(state, CACHED_DEFINITIONS, MAX_CACHED_DEFINITIONS)


@get(
    "/definitions/{code:str}",
    summary="A service's latest published version: the form the app renders, its documents and workflow",
    opt={"public": True, "problems": [404], CACHED_OPT: True},
    responses={
        200: ResponseSpec(PublishedService, description="The latest published version", generate_examples=False),
        **NOT_MODIFIED,
    },
)
async def service_definition(scope: Scope, code: DefinitionPath) -> ASGIResponse:
    state = scope["app"].state
    cached = cached_definitions(state)
    answer = cached.get(code)
    if answer is None:
        generation = cached.generation  # taken before reading: a change meanwhile is not kept
        database: Database = state.database
        async with database.acquire() as connection:
            published = await definitions.published_service(connection, code)  # 404 for no published version
        answer = CachedJson(msgspec.json.encode(published), max_age=DEFINITION_MAX_AGE)
        cached.keep(code, answer, generation)
    return answer.answer(scope)


@post(
    "/definitions",
    summary="Define a new service (a draft, offered to no one until published)",
    request_max_body_size=MAX_FILE_BYTES,
    opt={**_MANAGE, "problems": [409, 413, 422]},
)
async def add_definition(
    request: SignedIn, database: NamedDependency[Database], data: JSONBody[DefinitionFile]
) -> AdminDefinition:
    async with database.acquire() as connection, connection.transaction():
        created = await definitions.create_definition(connection, data)
        await _audit(connection, request, "created", data.code)
    return created


@get(
    "/definitions/{code:str}/draft",
    summary="A definition as its admins see it: the draft, the latest version, open or closed",
    opt={**_MANAGE, "problems": [404]},
)
async def read_draft(database: NamedDependency[Database], code: DefinitionPath) -> AdminDefinition:
    async with database.acquire() as connection:
        return await definitions.admin_definition(connection, code)


@put(
    "/definitions/{code:str}/draft",
    summary="Replace the draft (checked whole; published versions do not change)",
    request_max_body_size=MAX_FILE_BYTES,
    opt={**_MANAGE, "problems": [404, 413, 422]},
)
async def save_draft(
    request: SignedIn, database: NamedDependency[Database], code: DefinitionPath, data: JSONBody[DefinitionFile]
) -> AdminDefinition:
    async with database.acquire() as connection, connection.transaction():
        saved = await definitions.save_draft(connection, code, data)
        await _audit(connection, request, "saved", code)
    return saved


def _admin_step(action: str, summary: str, audited: str, closed: bool | None) -> HTTPRouteHandler:
    """A POST without a body that publishes, closes or reopens a definition, audited."""

    async def take(request: SignedIn, database: NamedDependency[Database], code: DefinitionPath) -> AdminDefinition:
        async with database.acquire() as connection, connection.transaction():
            if closed is None:
                done = await definitions.publish(connection, code)
            else:
                done = await definitions.set_closed(connection, code, closed)
            await _audit(connection, request, audited, code, {"version": done.published_version})
        cached_definitions(request.app.state).changed()
        return done

    take.__name__ = take.__qualname__ = f"{action}_definition"
    return post(
        f"/definitions/{{code:str}}/{action}",
        summary=summary,
        status_code=200,
        opt={**_MANAGE, "problems": [404, 422]},
    )(take)


publish_definition = _admin_step(
    "publish", "Publish the draft as the next version; the service enters the catalogue", "published", None
)
close_definition = _admin_step(
    "close", "Close the service: no new applications; those filed go on", "closed", closed=True
)
reopen_definition = _admin_step("reopen", "Take applications again", "reopened", closed=False)


@get(
    "/definitions/{code:str}/preview",
    summary="The draft as residents would get it once published",
    opt={**_MANAGE, "problems": [404]},
)
async def preview_definition(database: NamedDependency[Database], code: DefinitionPath) -> PublishedService:
    async with database.acquire() as connection:
        return await draft_preview(connection, code)


@get(
    "/definitions/{code:str}/preview.pdf",
    summary="A sample letter from the draft (marked as a sample; its QR code verifies nothing)",
    media_type="application/pdf",
    opt={**_MANAGE, "problems": [404, 409]},
)
async def preview_letter(
    request: SignedIn, database: NamedDependency[Database], cases: NamedDependency[CaseEngine], code: DefinitionPath
) -> Response[bytes]:
    async with database.acquire() as connection:
        content = await sample_letter(connection, code, public_base_url(request), cases.zone, datetime.now(UTC))
    pdf = await asyncio.to_thread(_draw, content, cases, request)
    return Response(content=pdf, media_type="application/pdf")


def _draw(content: LetterContent, cases: CaseEngine, request: SignedIn) -> bytes:
    return draw_letter(content, cases.zone, letterhead_of(request.app.state))


@post(
    "/definitions/{code:str}/try",
    summary="Try answers against the draft's form: what submitting would refuse, nothing kept",
    status_code=200,
    opt={**_MANAGE, "problems": [404]},
)
async def try_definition(
    database: NamedDependency[Database], code: DefinitionPath, data: JSONBody[TrialAnswers]
) -> TrialResult:
    async with database.acquire() as connection:
        kind = await definitions.draft_version(connection, code)
    answers: dict[str, AttributeAnswer] = data.answers
    shown, kept = without_hidden(kind.fields, answers)
    problems = answer_problems(shown, kept, prefix="answers")
    return TrialResult(
        problems=[
            TrialProblem(field=problem.field, message=Text(id=problem.id, en=problem.en)) for problem in problems
        ],
        shown_fields=[field.code for field in shown],
    )


@get(
    "/definitions/{code:str}/export",
    summary="The definition file (the latest published version, else the draft) for another deployment",
    opt={**_MANAGE, "problems": [404]},
)
async def export_definition(database: NamedDependency[Database], code: DefinitionPath) -> Response[DefinitionFile]:
    async with database.acquire() as connection:
        exported = await definitions.exported(connection, code)
    return Response(exported, headers={"Content-Disposition": f'attachment; filename="{code}.json"'})


@post(
    "/definitions/import",
    summary="Import a definition file: every mistake named at once, else it is saved and published",
    status_code=200,
    request_max_body_size=MAX_FILE_BYTES,
    opt={**_MANAGE, "problems": [413, 422]},
)
async def import_definition(
    request: SignedIn, database: NamedDependency[Database], data: JSONBody[DefinitionFile]
) -> AdminDefinition:
    """The body's shape is checked as every body is (each mistake named); then its content."""
    async with database.acquire() as connection, connection.transaction():
        imported = await definitions.import_definition(connection, data)
        await _audit(connection, request, "imported", data.code, {"version": imported.published_version})
    cached_definitions(request.app.state).changed()
    return imported


async def _audit(
    connection: asyncpg.Connection, request: SignedIn, action: str, code: str, details: dict[str, Any] | None = None
) -> None:
    await record_by_caller(
        connection,
        request,
        action=f"service_definition.{action}",
        object_type="service_definition",
        object_id=code,
        details=details,
    )


definition_routes = [
    service_list,
    service_definition,
    add_definition,
    read_draft,
    save_draft,
    publish_definition,
    close_definition,
    reopen_definition,
    preview_definition,
    preview_letter,
    try_definition,
    export_definition,
    import_definition,
]
