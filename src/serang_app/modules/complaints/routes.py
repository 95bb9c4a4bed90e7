"""/v1/complaints: categories, filing, the public feed, nearby search, support, merging and moderation."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.api import (
    ACCOUNT_CHECKED_BY_ROUTE_OPT,
    CACHED_OPT,
    DEFAULT_LIMIT,
    NOT_MODIFIED,
    ApiError,
    CachedJson,
    CaseActor,
    CaseEngine,
    Database,
    LocalizedFieldError,
    PageCursor,
    PageLimit,
    Principal,
    SessionToCheck,
    end_public_photo_links,
    negotiate_locale,
    public_base_url,
    record_by_caller,
    region_area_of,
)
from serang_app.modules.complaints.categories import change_category, create_category, list_categories
from serang_app.modules.complaints.filing import file_complaint
from serang_app.modules.complaints.merging import merge_complaint
from serang_app.modules.complaints.moderation import moderate
from serang_app.modules.complaints.open311.clients import (
    ClientDraft,
    ClientList,
    IssuedClient,
    issue_client,
    list_clients,
    revoke_client,
)
from serang_app.modules.complaints.reading import (
    FeedFilter,
    complaint_detail,
    nearby,
    public_complaint,
    public_page,
)
from serang_app.modules.complaints.schemas import (
    CODE_PATTERN,
    Category,
    CategoryChanges,
    CategoryDraft,
    CategoryList,
    ComplaintDetail,
    ComplaintDraft,
    FiledComplaint,
    MergeRequest,
    ModerationRequest,
    NearbyComplaints,
    PublicComplaint,
    PublicComplaintPage,
    Support,
)
from serang_app.modules.complaints.support import support, withdraw_support

SignedIn = Request[Principal, Any, Any]
CaseId = Annotated[uuid.UUID, PathParameter(description="The complaint's case id.")]
CategoryPath = Annotated[str, PathParameter(description="The category's code.", pattern=CODE_PATTERN)]
CategoryFilter = Annotated[
    str | None, QueryParameter(name="category", pattern=CODE_PATTERN, required=False, description="A category code.")
]
CATEGORIES_MAX_AGE = 60
# The public complaint answers may be stored by a cache but never served without asking again: a
# complaint's text or photo staff hide must leave every copy at once (docs/complaints.md, "Moderation").
PUBLIC_NO_CACHE = ResponseHeader(
    name="Cache-Control",
    value="no-cache",
    description="Ask again before reusing a stored copy: moderation takes effect at once.",
)
NEARBY_MAX_RADIUS = 2000


@get(
    "/categories",
    summary="Complaint categories with their extra questions",
    opt={"public": True, CACHED_OPT: True},
    responses={
        200: ResponseSpec(CategoryList, description="Active categories", generate_examples=False),
        **NOT_MODIFIED,
    },
)
async def categories(scope: Scope, database: NamedDependency[Database]) -> ASGIResponse:
    async with database.acquire() as connection:
        items = await list_categories(connection, include_inactive=False)
    return CachedJson(msgspec.json.encode(CategoryList(items=items)), max_age=CATEGORIES_MAX_AGE).answer(scope)


@post(
    "/categories",
    summary="Add a complaint category",
    opt={"permission": "complaints.categories.manage", "problems": [409, 422]},
)
async def add_category(database: NamedDependency[Database], data: JSONBody[CategoryDraft]) -> Category:
    async with database.acquire() as connection:
        return await create_category(connection, data)


@patch(
    "/categories/{code:str}",
    summary="Change a complaint category (its code stays)",
    opt={"permission": "complaints.categories.manage", "problems": [404, 422]},
)
async def edit_category(
    database: NamedDependency[Database], code: CategoryPath, data: JSONBody[CategoryChanges]
) -> Category:
    async with database.acquire() as connection:
        return await change_category(connection, code, data)


@post(
    "/",
    summary="Report a problem: category, description, the pin on the map, photos",
    # The account is checked in filing's first statement (filing.file_complaint), not by a
    # look-up of its own in authentication: one round trip fewer (docs/performance.md).
    opt={"permission": "complaints.report", "problems": [409, 422], ACCOUNT_CHECKED_BY_ROUTE_OPT: True},
)
async def report(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    data: JSONBody[ComplaintDraft],
) -> FiledComplaint:
    # No transaction around it: filing writes the case and its rows in one statement, and
    # opens a transaction itself when it attaches photos (filing.file_complaint).
    async with database.acquire() as connection:
        return await file_complaint(
            cases,
            connection,
            region_area_of(request.app.state),
            CaseActor.of(request),
            data,
            account=SessionToCheck(request.user.session_id),
        )


@get(
    "/nearby",
    summary='Open public complaints near a point, nearest first ("was this already reported?")',
    opt={"public": True, "problems": [422]},
    response_headers=[PUBLIC_NO_CACHE],
)
async def complaints_nearby(
    request: Request[Any, Any, Any],
    database: NamedDependency[Database],
    lat: Annotated[float, QueryParameter(ge=-90, le=90, description="Latitude of the point.")],
    lon: Annotated[float, QueryParameter(ge=-180, le=180, description="Longitude of the point.")],
    category: CategoryFilter = None,
    radius: Annotated[
        int, QueryParameter(ge=10, le=NEARBY_MAX_RADIUS, required=False, description="Metres (10 to 2000).")
    ] = 250,
    limit: Annotated[int, QueryParameter(ge=1, le=50, required=False, description="At most this many.")] = 20,
) -> NearbyComplaints:
    async with database.acquire() as connection:
        items = await nearby(
            connection,
            public_base_url(request),
            _locale(request),
            lat,
            lon,
            radius_m=radius,
            category=category,
            limit=limit,
        )
    return NearbyComplaints(items=items)


@get(
    "/public",
    summary="Public complaints, newest first, by area, district, category or status",
    opt={"public": True, "problems": [422]},
    response_headers=[PUBLIC_NO_CACHE],
)
async def public_feed(
    request: Request[Any, Any, Any],
    database: NamedDependency[Database],
    bbox: Annotated[
        str | None,
        QueryParameter(
            description="west,south,east,north in degrees (at most 1 degree each way).",
            pattern=r"^-?\d{1,3}(\.\d+)?(,-?\d{1,3}(\.\d+)?){3}$",
            max_length=100,
            required=False,
        ),
    ] = None,
    district: Annotated[str | None, QueryParameter(pattern=r"^\d{2}\.\d{2}\.\d{2}$", required=False)] = None,
    category: CategoryFilter = None,
    status: Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z_]{1,30}$", required=False)] = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> PublicComplaintPage:
    feed = FeedFilter(bbox=_box(bbox) if bbox else None, district_code=district, category=category, status=status)
    async with database.acquire() as connection:
        return await public_page(
            connection, public_base_url(request), _locale(request), feed, limit=limit, cursor=cursor
        )


@get(
    "/public/{case_id:uuid}",
    summary="One public complaint",
    opt={"public": True, "problems": [404]},
    response_headers=[PUBLIC_NO_CACHE],
)
async def one_public(
    request: Request[Any, Any, Any], database: NamedDependency[Database], case_id: CaseId
) -> PublicComplaint:
    async with database.acquire() as connection:
        return await public_complaint(connection, public_base_url(request), _locale(request), case_id)


@get(
    "/{case_id:uuid}",
    summary="A complaint in full, for its reporter and the agency handling it",
    opt={"permission": "complaints.read", "problems": [404]},
)
async def detail(request: SignedIn, database: NamedDependency[Database], case_id: CaseId) -> ComplaintDetail:
    async with database.acquire() as connection:
        return await complaint_detail(connection, CaseActor.of(request), case_id)


@post(
    "/{case_id:uuid}/support",
    summary='"Me too": follow this public complaint and add to its support',
    status_code=200,
    opt={"permission": "complaints.support", "problems": [404, 409]},
)
async def add_support(request: SignedIn, database: NamedDependency[Database], case_id: CaseId) -> Support:
    async with database.acquire() as connection, connection.transaction():
        return await support(connection, request.user.id, case_id)


@delete(
    "/{case_id:uuid}/support",
    summary='Take back a "me too"',
    status_code=200,
    opt={"permission": "complaints.support", "problems": [404]},
)
async def remove_support(request: SignedIn, database: NamedDependency[Database], case_id: CaseId) -> Support:
    async with database.acquire() as connection, connection.transaction():
        return await withdraw_support(connection, request.user.id, case_id)


@post(
    "/{case_id:uuid}/merge",
    summary="Merge this duplicate into another complaint of the same problem",
    status_code=200,
    opt={"permission": "complaints.merge", "problems": [403, 404, 409, 422]},
)
async def merge(
    request: SignedIn,
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
    case_id: CaseId,
    data: JSONBody[MergeRequest],
) -> ComplaintDetail:
    actor = CaseActor.of(request)
    async with database.acquire() as connection:
        async with connection.transaction():
            await merge_complaint(cases, connection, actor, case_id, data.into_case_id, data.note)
        return await complaint_detail(connection, actor, case_id)


@post(
    "/{case_id:uuid}/moderation",
    summary="Hide a public complaint's text or photo from the public, or show it again, with a reason",
    description=(
        "Officers and supervisors of the complaint's agency, and admins (404 for anyone else). The public "
        "surfaces (feed, nearby, Open311, thumbnails) honour it at once; the reporter is told why."
    ),
    status_code=200,
    opt={"permission": "complaints.moderate", "problems": [404, 409, 422]},
)
async def moderation(
    request: SignedIn, database: NamedDependency[Database], case_id: CaseId, data: JSONBody[ModerationRequest]
) -> ComplaintDetail:
    actor = CaseActor.of(request)
    async with database.acquire() as connection:
        async with connection.transaction():
            happened = await moderate(connection, actor, case_id, data)
            # Ids only: the reason may quote what was hidden (the timeline keeps it).
            await record_by_caller(
                connection,
                request,
                action=f"complaint.{happened}",
                object_type="case",
                object_id=str(case_id),
                details={"photo_upload_id": str(data.photo_upload_id)} if data.target == "photo" else None,
            )
        if happened == "photo_hidden" and data.photo_upload_id is not None:
            # Links to the thumbnail handed out before the hide stop working too.
            await end_public_photo_links(request.app.state, data.photo_upload_id)
        return await complaint_detail(connection, actor, case_id)


_OPEN311_ADMINS = {"permission": "complaints.open311.manage"}
ClientId = Annotated[uuid.UUID, PathParameter(description="The Open311 client's id.")]


@post(
    "/open311-clients",
    summary="Issue an Open311 API key (shown once) to a system that files complaints",
    opt={**_OPEN311_ADMINS, "problems": [422]},
)
async def add_open311_client(
    request: SignedIn, database: NamedDependency[Database], data: JSONBody[ClientDraft]
) -> IssuedClient:
    async with database.acquire() as connection, connection.transaction():
        issued = await issue_client(connection, request.user.id, data)
        await record_by_caller(
            connection, request, action="open311_client.issued", object_type="open311_client", object_id=str(issued.id)
        )
    return issued


@get("/open311-clients", summary="Open311 clients and their keys' prefixes", opt=_OPEN311_ADMINS)
async def open311_clients(database: NamedDependency[Database]) -> ClientList:
    async with database.acquire() as connection:
        return await list_clients(connection)


@delete(
    "/open311-clients/{client_id:uuid}",
    summary="Revoke an Open311 API key",
    opt={**_OPEN311_ADMINS, "problems": [404]},
)
async def revoke_open311_client(request: SignedIn, database: NamedDependency[Database], client_id: ClientId) -> None:
    async with database.acquire() as connection, connection.transaction():
        await revoke_client(connection, client_id)
        await record_by_caller(
            connection, request, action="open311_client.revoked", object_type="open311_client", object_id=str(client_id)
        )


def _locale(request: Request[Any, Any, Any]) -> str:
    return negotiate_locale(request.headers.get("accept-language"))


def _box(text: str) -> tuple[float, float, float, float]:
    west, south, east, north = (float(part) for part in text.split(","))
    if not (west < east and south < north and east - west <= 1 and north - south <= 1):
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "bbox",
                    "Kotak harus barat<timur, selatan<utara, paling besar 1 derajat",
                    "Needs west<east and south<north, at most 1 degree each way",
                )
            ],
        )
    return west, south, east, north


complaints_router = Router(
    path="/",
    route_handlers=[
        categories,
        add_category,
        edit_category,
        report,
        complaints_nearby,
        public_feed,
        one_public,
        detail,
        add_support,
        remove_support,
        merge,
        moderation,
        add_open311_client,
        open311_clients,
        revoke_open311_client,
    ],
)
