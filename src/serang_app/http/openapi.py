"""Makes the OpenAPI document describe our errors exactly, in a shape client generators accept.

Litestar documents validation errors with a schema (`type: array` plus `additionalProperties`)
that Dart and Kotlin generators reject, and knows nothing of our problem details. After Litestar
builds the document we replace every error response with a reference to one Problem schema,
chosen from what each route can actually answer:
- every route: 500 and 503 (database unreachable, with Retry-After); rate-limited routes: 429
  (with Retry-After and the RateLimit headers);
- routes with parameters or a body: 422; routes with a body: 400, 413 and 415;
- whatever the handler lists in ``opt["problems"]`` (for example 404, 409, 412) and, for guarded
  routes, 401 and 403.
Guarded routes also name the bearer-token security scheme, so generated clients send the token.
Guarded POST, PUT and PATCH operations take the optional Idempotency-Key header (http/idempotency.py),
which adds 409 (still running) and 422 (key reused), and may answer with Idempotent-Replayed.
These headers, like X-Request-ID, Content-Language and Retry-After, are declared once under
components and referred to by every operation and answer they apply to.
"""

from __future__ import annotations

from typing import Any

import msgspec
import msgspec.inspect
from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import InitPlugin
from litestar.routes import HTTPRoute

from serang_app.app_config.version_gate import ALWAYS_SERVED
from serang_app.http.caching import CACHED_OPT
from serang_app.http.field_messages import FIELD_MESSAGES
from serang_app.http.idempotency import (
    IDEMPOTENT_METHODS,
    KEY_HEADER_NAME,
    KEY_PATTERN,
    REPLAYED_HEADER_NAME,
    is_stored,
)
from serang_app.http.messages import problem_text
from serang_app.http.openapi_clients import shape_for_clients
from serang_app.http.openapi_headers import attach_shared_headers
from serang_app.http.openapi_names import operation_name
from serang_app.http.problems import PROBLEM_MEDIA_TYPE

PROBLEMS_OPT = "problems"
# Routes that also answer text/csv (on Accept: text/csv) say so; the document lists it beside JSON.
CSV_OPT = "csv"
# A handler that also answers text/html (a page for people, by content negotiation) says so here.
HTML_PAGE_OPT = "html_page"
# Routes that answer 428 without If-Match read the header as optional (so that its absence is a
# 428, not a validation error) and say so in their opt; the document marks it required.
IF_MATCH_REQUIRED_OPT = "if_match_required"
BEARER_SCHEME = "bearerAuth"
# The operators' token for GET /metrics (health/metrics.py), unrelated to residents' and staff's.
METRICS_SCHEME = "metricsToken"
GUARDED_OPT = "permission"
_RATE_LIMIT_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    426: "app_update_required",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class DocumentErrorsPlugin(InitPlugin):
    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.on_startup.append(document_errors)
        return app_config


def document_errors(app: Litestar) -> OpenAPI:
    """Rewrite the error responses of the app's OpenAPI document in place; safe to call twice."""
    document = app.openapi_schema
    components = document.components if isinstance(document.components, Components) else Components()
    document.components = components
    schemas = components.schemas if components.schemas is not None else {}
    components.schemas = schemas
    schemas.update(_problem_schemas())
    components.headers = {
        **(components.headers or {}),
        **{
            name: OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description=description)
            for name, description in _RATE_LIMIT_HEADERS.items()
        },
        **_SHARED_HEADERS,
    }
    components.parameters = {**(components.parameters or {}), **_SHARED_PARAMETERS}
    components.security_schemes = {
        **(components.security_schemes or {}),
        BEARER_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            bearer_format="JWT",
            description="The access token from sign-in (POST /v1/auth/...); renew it with POST /v1/auth/refresh.",
        ),
        METRICS_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            description="The operators' metrics token, SERANG_METRICS_TOKEN (docs/deployment.md).",
        ),
    }
    _close_strict_bodies(schemas)
    _mark_deprecated_fields(schemas)
    paths = document.paths or {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in paths:
            continue
        path_item = paths[route.path_format]
        for handler in route.route_handlers:
            for method in handler.http_methods:
                operation = getattr(path_item, method.lower(), None)
                if operation is None:
                    continue
                # Only signed-in callers' keys are kept (see http/idempotency.py), so only guarded routes take one.
                idempotent = method in IDEMPOTENT_METHODS and bool(handler.opt.get(GUARDED_OPT))
                if idempotent:
                    _add_idempotency_key(operation)
                statuses = _statuses_for(route.path_format, handler.opt, operation)
                if idempotent:
                    statuses.update({409, 422})
                if handler.opt.get(GUARDED_OPT):
                    operation.security = [{BEARER_SCHEME: []}]
                responses = {code: r for code, r in (operation.responses or {}).items() if code[0] not in "45"}
                for status in sorted(statuses):
                    responses[str(status)] = _problem_response(status)
                if handler.opt.get(CACHED_OPT):
                    operation.parameters = [*(operation.parameters or []), _header_ref("parameters", "IfNoneMatch")]
                if handler.opt.get(IF_MATCH_REQUIRED_OPT):
                    _require_if_match(operation)
                if handler.opt.get(CSV_OPT):
                    _add_csv(responses.get("200"))
                if handler.opt.get(HTML_PAGE_OPT):
                    _add_html(responses.get("200"))
                for code, response in responses.items():
                    if isinstance(response, OpenAPIResponse):
                        response.headers = {**(response.headers or {}), "X-Request-ID": _REQUEST_ID_HEADER}
                        if handler.opt.get(CACHED_OPT) and code in ("200", "304"):
                            response.headers.update(_CACHE_HEADERS)
                        elif isinstance(response.headers.get("Cache-Control"), OpenAPIHeader):
                            # A route's own Cache-Control (the public complaints' no-cache): the
                            # shared component, so that generated clients get one header type.
                            response.headers["Cache-Control"] = _CACHE_HEADERS["Cache-Control"]
                        if idempotent and code.isdigit() and _may_be_replayed(int(code)):
                            response.headers[REPLAYED_HEADER_NAME] = _header_ref("headers", "IdempotentReplayed")
                operation.responses = responses
    shape_for_clients(document, app)
    attach_shared_headers(document)
    return document


def _add_csv(response: Any) -> None:
    if isinstance(response, OpenAPIResponse):
        response.content = {
            **(response.content or {}),
            "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, description="RFC 4180, UTF-8")),
        }


def _add_html(response: Any) -> None:
    if isinstance(response, OpenAPIResponse):
        response.content = {
            **(response.content or {}),
            "text/html": OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, description="A page for people, UTF-8, loading nothing else")
            ),
        }


def _require_if_match(operation: Operation) -> None:
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter) and parameter.name == "If-Match":
            parameter.required = True


def operation_id(handler: HTTPRouteHandler, method: str, path: list[Any]) -> str:
    """The handler's name in camelCase (`listServices`): what client generators turn into method names."""
    return operation_name(handler)


def _close_strict_bodies(schemas: dict[str, Schema]) -> None:
    """Say `additionalProperties: false` where msgspec refuses unknown fields.

    Litestar does not carry `forbid_unknown_fields` into the schema, so clients and schemathesis
    would believe extra fields are accepted and then meet a 422.
    """
    strict = {struct.__name__ for struct in struct_classes() if struct.__struct_config__.forbid_unknown_fields}
    for name, schema in schemas.items():
        if name in strict and schema.type == OpenAPIType.OBJECT:
            schema.additional_properties = False


def _mark_deprecated_fields(schemas: dict[str, Schema]) -> None:
    """Say `deprecated: true` on a field declared `Meta(extra_json_schema={"deprecated": True})`.

    Litestar leaves msgspec's extra JSON Schema out, so generated clients would not mark the
    field (docs/api-compatibility.md, "Deprecation and sunset").
    """
    for struct in struct_classes():
        schema = schemas.get(struct.__name__)
        if schema is None or not schema.properties:
            continue
        try:
            info = msgspec.inspect.type_info(struct)
        except (NameError, TypeError, ValueError):  # a struct whose annotations do not resolve (tests' own)
            continue
        if not isinstance(info, msgspec.inspect.StructType):
            continue
        for field in info.fields:
            extra = field.type.extra_json_schema if isinstance(field.type, msgspec.inspect.Metadata) else None
            target = schema.properties.get(field.encode_name)
            if extra and extra.get("deprecated") and isinstance(target, Schema):
                target.deprecated = True


def struct_classes() -> list[type[msgspec.Struct]]:
    found: list[type[msgspec.Struct]] = []
    pending = list(msgspec.Struct.__subclasses__())
    while pending:
        struct = pending.pop()
        found.append(struct)
        pending.extend(struct.__subclasses__())
    return found


def _add_idempotency_key(operation: Any) -> None:
    parameters = list(operation.parameters or [])
    reference = _header_ref("parameters", "IdempotencyKey")
    if not any(
        (isinstance(p, Parameter) and p.name == KEY_HEADER_NAME)
        or (isinstance(p, Reference) and p.ref == reference.ref)
        for p in parameters
    ):
        parameters.append(reference)
    operation.parameters = parameters


def _header_ref(kind: str, name: str) -> Reference:
    """A reference to a shared header (`headers`) or header parameter (`parameters`) under components."""
    return Reference(ref=f"#/components/{kind}/{name}")


def _may_be_replayed(status: int) -> bool:
    # 401 and 403 (authentication) and 413 (reading the body) are answered before a key is looked at.
    return is_stored(status) and status not in (401, 403, 413)


def _statuses_for(path: str, opt: dict[str, Any], operation: Any) -> set[int]:
    statuses = {500, 503}
    if not path.startswith(ALWAYS_SERVED):
        statuses.add(426)  # the update gate (app_config/version_gate.py)
    if path not in _RATE_LIMIT_EXEMPT:
        statuses.add(429)
    if operation.parameters or operation.request_body:
        statuses.add(422)
    if operation.request_body:
        statuses.update({400, 413, 415})
    if opt.get(GUARDED_OPT):
        statuses.update({401, 403})
    statuses.update(opt.get(PROBLEMS_OPT, ()))
    return statuses


# Headers and header parameters written on many operations, declared once under components
# (keyed by a name without dashes, as openapi_headers.py does) and referred to where they apply.
_SHARED_PARAMETERS = {
    "IfNoneMatch": Parameter(
        name="If-None-Match",
        param_in=ParamType.HEADER,
        required=False,
        schema=Schema(type=OpenAPIType.STRING),
        description="The ETag of the copy the app holds; an unchanged resource then answers 304.",
    ),
    "IdempotencyKey": Parameter(
        name=KEY_HEADER_NAME,
        param_in=ParamType.HEADER,
        required=False,
        schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=255, pattern=KEY_PATTERN),
        description="A key the client makes up for this request (a UUID will do), to retry it safely for "
        "24 hours: the same key with the same request returns the first answer instead of doing it again; "
        "with a different request it answers 422, and while the first is still running 409.",
    ),
}
_SHARED_HEADERS: dict[str, OpenAPIHeader | Reference] = {
    "RequestId": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING),
        description="The id of this request, in every log line about it; the client's own X-Request-ID when plain.",
    ),
    "CachedETag": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description="The version of this answer."),
    "CacheControl": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description="How long a copy may be reused."),
    "IdempotentReplayed": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING, enum=["true"]),
        description="Present when this is the stored answer to an earlier request with the same Idempotency-Key.",
    ),
    "ContentLanguage": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING, enum=["id", "en"]), description="The language of the message."
    ),
    "RetryAfter": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING), description="Seconds to wait before trying again."
    ),
}
_REQUEST_ID_HEADER = _header_ref("headers", "RequestId")
_CACHE_HEADERS: dict[str, OpenAPIHeader | Reference] = {
    "ETag": _header_ref("headers", "CachedETag"),
    "Cache-Control": _header_ref("headers", "CacheControl"),
}
# The limit that was reached (IETF draft-ietf-httpapi-ratelimit-headers, as Litestar sends them):
# declared once under components and referred to by every 429.
_RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": "The limit and its window in seconds: `60; w=60`.",
    "RateLimit-Limit": "Requests allowed per window.",
    "RateLimit-Remaining": "Requests left in this window.",
    "RateLimit-Reset": "Seconds until the window starts afresh.",
}


def _problem_response(status: int) -> OpenAPIResponse:
    code = _STATUS_CODES[status]
    headers: dict[str, OpenAPIHeader | Reference] = {"Content-Language": _header_ref("headers", "ContentLanguage")}
    if status in (429, 503):
        headers["Retry-After"] = _header_ref("headers", "RetryAfter")
    if status == 429:
        headers.update({name: Reference(ref=f"#/components/headers/{name}") for name in _RATE_LIMIT_HEADERS})
    return OpenAPIResponse(
        description=problem_text(code).title.en,  # the app registered every domain's texts
        headers=headers,
        content={PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
    )


def _problem_schemas() -> dict[str, Schema]:
    string = Schema(type=OpenAPIType.STRING)
    return {
        "FieldError": Schema(
            type=OpenAPIType.OBJECT,
            required=["field", "code", "message"],
            properties={
                "field": Schema(
                    type=OpenAPIType.STRING,
                    description="The field's path in the request: `attributes.road_kind`, `photo_upload_ids[2]`, "
                    "a parameter's name, or `body` for the whole body.",
                ),
                "code": Schema(
                    type=OpenAPIType.STRING,
                    enum=list(FIELD_MESSAGES),
                    description="The kind of error (docs/api-compatibility.md).",
                ),
                "message": string,
            },
            description="One invalid field: where it is and what is wrong, in the caller's language.",
        ),
        "Problem": Schema(
            type=OpenAPIType.OBJECT,
            required=["type", "title", "status", "detail", "code"],
            properties={
                "type": Schema(type=OpenAPIType.STRING, description="A URN naming the kind of problem."),
                "title": string,
                "status": Schema(type=OpenAPIType.INTEGER),
                "detail": Schema(type=OpenAPIType.STRING, description="What went wrong, for the resident."),
                "code": Schema(type=OpenAPIType.STRING, description="A stable machine-readable code."),
                "request_id": Schema(type=OpenAPIType.STRING, description="Quote it when reporting a problem."),
                "instance": string,
                "errors": Schema(type=OpenAPIType.ARRAY, items=Reference(ref="#/components/schemas/FieldError")),
            },
            description="An RFC 9457 problem details object.",
        ),
    }
