"""/open311/v2: GeoReport v2 discovery, services, service definitions, requests (read and file).

The format is the path's suffix, `.json` or `.xml`, as the specification fixes. These routes
follow GeoReport v2's own contract (errors included: `[{"code", "description"}]`) and are left
out of the app's OpenAPI document, which describes the app's API. Reading is public and shows
public complaints only; filing needs an API key admins issue (clients.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from serang_app.api import (
    ApiError,
    CaseActor,
    CaseEngine,
    Database,
    RegionArea,
    identity_of,
    negotiate_locale,
    normalized_in_place,
    public_base_url,
    region_area_of,
)
from serang_app.modules.complaints.categories import active_category
from serang_app.modules.complaints.filing import file_complaint
from serang_app.modules.complaints.open311 import documents
from serang_app.modules.complaints.open311.clients import client_account
from serang_app.modules.complaints.open311.formats import Format, Open311Error, error, format_of, render
from serang_app.modules.complaints.schemas import Category, ComplaintDraft

_OPEN311 = {"public": True}
ServiceFile = Annotated[str, PathParameter(description="A service code with .json or .xml.", max_length=60)]
RequestFile = Annotated[str, PathParameter(description="A request id with .json or .xml.", max_length=60)]
_FORM = "application/x-www-form-urlencoded"
MAX_IDS = 100


async def _answer(
    request: Request[Any, Any, Any], build: Callable[[Format], Awaitable[Response[bytes]]]
) -> Response[bytes]:
    fmt = format_of(request.url.path)
    if fmt is None:
        return error("json", 404, "Use .json or .xml")
    try:
        return await build(fmt)
    except Open311Error as problem:
        return error(fmt, problem.status, problem.description)


def _locale(request: Request[Any, Any, Any]) -> str:
    return negotiate_locale(request.headers.get("accept-language"))


@get(["/discovery.json", "/discovery.xml"], include_in_schema=False, opt=_OPEN311)
async def discovery(request: Request[Any, Any, Any]) -> Response[bytes]:
    async def build(fmt: Format) -> Response[bytes]:
        return render(fmt, "discovery", documents.discovery(public_base_url(request), identity_of(request.app.state)))

    return await _answer(request, build)


@get(["/services.json", "/services.xml"], include_in_schema=False, opt=_OPEN311)
async def services(request: Request[Any, Any, Any], database: NamedDependency[Database]) -> Response[bytes]:
    async def build(fmt: Format) -> Response[bytes]:
        async with database.acquire() as connection:
            return render(fmt, "services", await documents.services(connection, _locale(request)))

    return await _answer(request, build)


@get("/services/{service_file:str}", include_in_schema=False, opt=_OPEN311)
async def service_definition(
    request: Request[Any, Any, Any], database: NamedDependency[Database], service_file: ServiceFile
) -> Response[bytes]:
    async def build(fmt: Format) -> Response[bytes]:
        code = service_file.rsplit(".", 1)[0]
        async with database.acquire() as connection:
            area = region_area_of(request.app.state)
            definition = await documents.service_definition(connection, code, _locale(request), area)
        return render(fmt, "service_definition", definition)

    return await _answer(request, build)


@get(["/requests.json", "/requests.xml"], include_in_schema=False, opt=_OPEN311)
async def list_requests(request: Request[Any, Any, Any], database: NamedDependency[Database]) -> Response[bytes]:
    async def build(fmt: Format) -> Response[bytes]:
        query = request.query_params
        ids = query.get("service_request_id")
        references = [part.strip() for part in ids.split(",") if part.strip()][:MAX_IDS] if ids else None
        statuses = {part.strip() for part in query.get("status", "").split(",") if part.strip()} or None
        if statuses is not None and not statuses <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed, or both")
        async with database.acquire() as connection:
            found = await documents.requests(
                connection,
                public_base_url(request),
                _locale(request),
                references=references,
                service_code=query.get("service_code"),
                start=_moment(query.get("start_date"), "start_date"),
                end=_moment(query.get("end_date"), "end_date"),
                statuses=statuses,
            )
        return _not_stored(render(fmt, "service_requests", found))

    return await _answer(request, build)


@get("/requests/{request_file:str}", include_in_schema=False, opt=_OPEN311)
async def one_request(
    request: Request[Any, Any, Any], database: NamedDependency[Database], request_file: RequestFile
) -> Response[bytes]:
    async def build(fmt: Format) -> Response[bytes]:
        reference = request_file.rsplit(".", 1)[0]
        async with database.acquire() as connection:
            found = await documents.requests(
                connection,
                public_base_url(request),
                _locale(request),
                references=[reference],
                service_code=None,
                start=None,
                end=None,
                statuses=None,
            )
        if not found:
            raise Open311Error(404, f"No public request {reference!r}")
        return _not_stored(render(fmt, "service_requests", found))

    return await _answer(request, build)


@post(
    ["/requests.json", "/requests.xml"],
    include_in_schema=False,
    status_code=201,
    opt={**_OPEN311, "body_media_types": [_FORM]},
)
async def file_request(
    request: Request[Any, Any, Any], database: NamedDependency[Database], cases: NamedDependency[CaseEngine]
) -> Response[bytes]:
    async def build(fmt: Format) -> Response[bytes]:
        try:
            form = parse_qsl((await request.body()).decode(), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise Open311Error(400, "The form is not UTF-8") from None
        fields = dict(form)
        async with database.acquire() as connection, connection.transaction():
            account = await client_account(connection, fields.get("api_key", ""))
            if account is None:
                raise Open311Error(403, "A valid api_key is required")
            category = await active_category(connection, fields.get("service_code", ""))
            if category is None:
                raise Open311Error(404, "Unknown service_code")
            draft = _draft(category, form, region_area_of(request.app.state))
            actor = CaseActor(kind="resident", id=account, role="resident", opd_code=None, request_id=None)
            try:
                area = region_area_of(request.app.state)
                filed = await file_complaint(cases, connection, area, actor, draft, source="open311")
            except ApiError as refused:
                fields_at_fault = ", ".join(sorted({e.field for e in refused.errors or []})) or refused.code
                raise Open311Error(400, f"Invalid: {fields_at_fault}") from None
        answer = [{"service_request_id": filed.reference, "service_notice": None, "account_id": None}]
        return render(fmt, "service_requests", answer, 201)

    return await _answer(request, build)


def _not_stored(response: Response[bytes]) -> Response[bytes]:
    """Requests may be stored by a cache but never reused without asking again: a description or
    photo staff hide must leave every copy at once (docs/complaints.md, "Moderation")."""
    response.headers["Cache-Control"] = "no-cache"
    return response


def _draft(category: Category, form: list[tuple[str, str]], area: RegionArea) -> ComplaintDraft:
    """The complaint a GeoReport v2 form describes. The reporter's own details (e-mail, names,
    phone) are not kept: the client system holds them, and the API needs none to act."""
    # A form is not a JSON body: its texts are normalized here, as JSON bodies' are on arrival.
    form = [(key, normalized_in_place(value)) for key, value in form]
    fields = dict(form)
    if "lat" not in fields or "long" not in fields:
        raise Open311Error(400, "lat and long are required (addresses are not geocoded)")
    datatypes = {attribute.code: attribute.datatype for attribute in category.attributes}
    answers: dict[str, Any] = {}
    for key, value in form:
        if not (key.startswith("attribute[") and key.endswith("]")):
            continue
        code = key.removeprefix("attribute[").removesuffix("]").removesuffix("][")
        if datatypes.get(code) == "multivaluelist":
            answers.setdefault(code, []).append(value)
        elif datatypes.get(code) == "number":
            answers[code] = _number(value, code)
        else:
            answers[code] = value
    district = answers.pop(documents.DISTRICT_ATTRIBUTE, None)
    # Found from the pin where the region has a village layer (placing.py), else required.
    if not (isinstance(district, str) or (district is None and area.has_villages)):
        raise Open311Error(400, f"attribute[{documents.DISTRICT_ATTRIBUTE}] is required")
    try:
        return msgspec.convert(
            {
                "category": category.code,
                "description": fields.get("description", ""),
                "latitude": fields["lat"],
                "longitude": fields["long"],
                "district_code": district,
                "address": fields.get("address_string") or None,
                "attributes": answers,
            },
            ComplaintDraft,
            strict=False,  # a form's values are all text
        )
    except msgspec.ValidationError as invalid:
        raise Open311Error(400, f"Invalid: {invalid}") from None


def _number(value: str, code: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, f"attribute[{code}] must be a number") from None


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone")
    return moment


open311_router = Router(
    path="/open311/v2",
    route_handlers=[discovery, services, service_definition, list_requests, one_request, file_request],
)
