"""/v1/permits: permit types, and applications from draft to approval."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, cast

import asyncpg
from litestar import Request, Response, Router, get, patch, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, PathParameter, QueryParameter

from serang_app.api import (
    DEFAULT_LIMIT,
    HTML_PAGE_OPT,
    ApiError,
    CaseActor,
    CaseEngine,
    Database,
    PageCursor,
    PageLimit,
    Principal,
    identity_of,
    letterhead_of,
    negotiate_locale,
    public_base_url,
)
from serang_app.modules.permits import applications, issuing
from serang_app.modules.permits.definition_routes import cached_definitions, definition_routes
from serang_app.modules.permits.schemas import (
    CODE_PATTERN,
    AnswerChanges,
    Application,
    ApplicationPage,
    DocumentChoice,
    NewApplication,
    PermitType,
    PermitTypeChanges,
    PermitTypeDraft,
    PermitTypeList,
    RevisionRequest,
    RevokeRequest,
    Verification,
)
from serang_app.modules.permits.types import change_permit_type, create_permit_type, permit_types
from serang_app.modules.permits.verification_page import CONTENT_SECURITY_POLICY, not_found_page, verification_page

SignedIn = Request[Principal, Any, Any]
ApplicationId = Annotated[
    uuid.UUID,
    PathParameter(description="The application's id, or the id of its case (what a case's `module_object` names)."),
]
DocumentPath = Annotated[str, PathParameter(description="The document's code.", pattern=r"^[a-z][a-z0-9_]{0,40}$")]
VerificationCode = Annotated[
    str, PathParameter(description="The code printed on the permit (in its QR code).", pattern=r"^[A-Za-z0-9_-]{16}$")
]
PageLanguage = Annotated[
    Literal["id", "en"] | None, QueryParameter(description="The page's language (else Accept-Language); HTML only.")
]
TypePath = Annotated[str, PathParameter(description="The permit type's code.", pattern=CODE_PATTERN)]
_APPLY = {"permission": "permits.apply"}
_REVIEW = {"permission": "permits.review"}


@get("/types", summary="Permit types with their forms and required documents", opt={"public": True})
async def permit_type_list(database: NamedDependency[Database]) -> PermitTypeList:
    async with database.acquire() as connection:
        return PermitTypeList(items=await permit_types(connection))


@post(
    "/types",
    summary="Add a permit type: its form, documents, agency, SLA and validity",
    opt={"permission": "permits.types.manage", "problems": [409, 422]},
)
async def add_permit_type(
    request: SignedIn, database: NamedDependency[Database], data: JSONBody[PermitTypeDraft]
) -> PermitType:
    async with database.acquire() as connection, connection.transaction():
        added = await create_permit_type(connection, data)
    cached_definitions(request.app.state).changed()
    return added


@patch(
    "/types/{code:str}",
    summary="Change a permit type (its code and number prefix stay); is_active false closes it",
    opt={"permission": "permits.types.manage", "problems": [404, 422]},
)
async def edit_permit_type(
    request: SignedIn, database: NamedDependency[Database], code: TypePath, data: JSONBody[PermitTypeChanges]
) -> PermitType:
    async with database.acquire() as connection, connection.transaction():
        changed = await change_permit_type(connection, code, data)
    cached_definitions(request.app.state).changed()
    return changed


@post("/applications", summary="Start an application (a draft)", opt={**_APPLY, "problems": [422]})
async def start_application(
    request: SignedIn, database: NamedDependency[Database], data: JSONBody[NewApplication]
) -> Application:
    async with database.acquire() as connection:
        return await applications.create_draft(connection, request.user.id, data.type_code, public_base_url(request))


@get("/applications", summary="My applications, newest first, a page at a time", opt=_APPLY)
async def my_applications(
    request: SignedIn,
    database: NamedDependency[Database],
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> ApplicationPage:
    async with database.acquire() as connection:
        return await applications.own_applications(connection, request.user.id, limit, cursor, public_base_url(request))


@get(
    "/applications/{application_id:uuid}",
    summary="An application, for its applicant and the agency reviewing it",
    opt={"permission": "permits.read", "problems": [404]},
)
async def read_application(
    request: SignedIn, database: NamedDependency[Database], application_id: ApplicationId
) -> Application:
    async with database.acquire() as connection:
        application_id = await applications.application_id_of(connection, application_id)
        return await applications.read_application(
            connection, CaseActor.of(request), application_id, public_base_url(request)
        )


@patch(
    "/applications/{application_id:uuid}",
    summary="Set answers of a draft, or of an application sent back for revision",
    opt={**_APPLY, "problems": [404, 409]},
)
async def answer_application(
    request: SignedIn, database: NamedDependency[Database], application_id: ApplicationId, data: JSONBody[AnswerChanges]
) -> Application:
    async with database.acquire() as connection, connection.transaction():
        application_id = await applications.application_id_of(connection, application_id)
        return await applications.change_answers(
            connection, CaseActor.of(request), application_id, data, public_base_url(request)
        )


@put(
    "/applications/{application_id:uuid}/documents/{code:str}",
    summary="Attach an upload as one of the required or optional documents",
    opt={**_APPLY, "problems": [404, 409, 422]},
)
async def attach_document(
    request: SignedIn,
    database: NamedDependency[Database],
    application_id: ApplicationId,
    code: DocumentPath,
    data: JSONBody[DocumentChoice],
) -> Application:
    async with database.acquire() as connection, connection.transaction():
        application_id = await applications.application_id_of(connection, application_id)
        return await applications.choose_document(
            connection, CaseActor.of(request), application_id, code, data, public_base_url(request)
        )


Step = Callable[[CaseEngine, asyncpg.Connection, CaseActor, uuid.UUID, str], Awaitable[Application]]


def _step(action: str, name: str, summary: str, opt: dict[str, Any], step: Step) -> HTTPRouteHandler:
    """A POST that takes one step of an application (no body), in a transaction: the same shape for
    submitting, resubmitting, approving and issuing."""

    async def take(
        request: SignedIn,
        database: NamedDependency[Database],
        cases: NamedDependency[CaseEngine],
        application_id: ApplicationId,
    ) -> Application:
        async with database.acquire() as connection, connection.transaction():
            application_id = await applications.application_id_of(connection, application_id)
            return await step(cases, connection, CaseActor.of(request), application_id, public_base_url(request))

    # The handler's name is its OpenAPI operation id.
    take.__name__ = take.__qualname__ = name
    return post(f"/applications/{{application_id:uuid}}/{action}", summary=summary, status_code=200, opt=opt)(take)


submit_application = _step(
    "submit",
    "submit_application",
    "Submit: every field and document is checked, every problem named at once",
    {**_APPLY, "problems": [404, 409, 422]},
    applications.submit,
)
resubmit_application = _step(
    "resubmit",
    "resubmit_application",
    "Send the application back after the revision asked for",
    {**_APPLY, "problems": [404, 409, 422]},
    applications.resubmit,
)
approve_application = _step(
    "approve",
    "approve_application",
    "Approve (a supervisor, when the permit type says so)",
    {**_REVIEW, "problems": [403, 404, 409]},
    applications.approve,
)
issue_permit = _step(
    "issue",
    "issue_permit",
    "Issue an approved permit: its number, validity and verification code",
    {**_REVIEW, "problems": [404, 409]},
    issuing.issue,
)


@post(
    "/applications/{application_id:uuid}/revision",
    summary="Ask the applicant to fix named fields and documents (the SLA clock stops meanwhile)",
    status_code=200,
    opt={**_REVIEW, "problems": [403, 404, 409, 422]},
)
async def request_application_revision(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    application_id: ApplicationId,
    data: JSONBody[RevisionRequest],
) -> Application:
    async with database.acquire() as connection, connection.transaction():
        application_id = await applications.application_id_of(connection, application_id)
        return await applications.request_revision(
            cases, connection, CaseActor.of(request), application_id, data, public_base_url(request)
        )


@post(
    "/applications/{application_id:uuid}/revoke",
    summary="Revoke an issued permit, with the reason",
    status_code=200,
    opt={**_REVIEW, "problems": [404, 409]},
)
async def revoke_permit(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    application_id: ApplicationId,
    data: JSONBody[RevokeRequest],
) -> Application:
    async with database.acquire() as connection, connection.transaction():
        application_id = await applications.application_id_of(connection, application_id)
        return await issuing.revoke(
            cases, connection, CaseActor.of(request), application_id, data.reason, public_base_url(request)
        )


@get(
    "/applications/{application_id:uuid}/permit.pdf",
    summary="The issued permit or letter as a PDF, with the QR code that verifies it",
    media_type="application/pdf",
    opt={"permission": "permits.read", "problems": [404, 409]},
)
async def permit_document(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    application_id: ApplicationId,
) -> Response[bytes]:
    async with database.acquire() as connection:
        application_id = await applications.application_id_of(connection, application_id)
        pdf = await issuing.permit_pdf(
            connection,
            CaseActor.of(request),
            application_id,
            public_base_url(request),
            cases.zone,
            letterhead_of(request.app.state),
            request.app.state,
        )
    return Response(content=pdf, media_type="application/pdf")


@get(
    "/verify/{code:str}",
    summary="Is this permit genuine and valid? A page for people (text/html), JSON for machines",
    description=(
        "What a third party needs, nothing more. The QR code on the permit opens this URL: a browser "
        "(`Accept: text/html`) gets a page in Indonesian or English (`lang`, else Accept-Language); "
        "any other caller gets the JSON answer, as before."
    ),
    opt={"public": True, "problems": [404], HTML_PAGE_OPT: True},
)
async def verify_permit(
    request: Request[Any, Any, Any],
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    code: VerificationCode,
    lang: PageLanguage = None,
) -> Response[Verification]:
    wanted = request.accept.best_match(["application/json", "text/html"], default="application/json")
    if wanted != "text/html":
        async with database.acquire() as connection:
            return Response(await issuing.verify(connection, code))
    locale = lang or negotiate_locale(request.headers.get("accept-language"))
    async with database.acquire() as connection:
        try:
            found = await issuing.verify(connection, code)
        except ApiError as error:
            if error.status_code != 404:
                raise
            page, status = not_found_page(locale, identity_of(request.app.state)), 404
        else:
            page, status = verification_page(found, locale, cases.zone, identity_of(request.app.state)), 200
    # The page's body is HTML; the annotation names the JSON answer the document describes.
    return cast(
        "Response[Verification]",
        Response(
            page,
            status_code=status,
            media_type="text/html",
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Content-Language": locale,
                "Vary": "Accept, Accept-Language",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-cache",
            },
        ),
    )


permits_router = Router(
    path="/",
    route_handlers=[
        permit_type_list,
        add_permit_type,
        edit_permit_type,
        start_application,
        my_applications,
        read_application,
        answer_application,
        attach_document,
        submit_application,
        resubmit_application,
        request_application_revision,
        approve_application,
        issue_permit,
        revoke_permit,
        permit_document,
        verify_permit,
        *definition_routes,
    ],
)
