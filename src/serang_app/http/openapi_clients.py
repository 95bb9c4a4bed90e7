"""The last pass over the OpenAPI document: the shapes client generators turn into working code.

Applied by the core to every operation and schema, modules' included (see openapi_schemas.py and
openapi_names.py for the schema and naming rules):
- a required parameter is never nullable (Litestar types `If-Match: str | None` so that its absence
  is our 428, not a validation error);
- an optional JSON body is a named schema with `required: false`, not an inline `anyOf [X, null]`;
- bytes (an image, a PDF, a stored file) are `type: string, format: binary` with their media type,
  so generated clients hand them over as bytes instead of decoding them as text;
- a public operation says `security: []`: generators and linters otherwise cannot tell it from
  one whose scheme was forgotten.
"""

from __future__ import annotations

from dataclasses import replace

from litestar import Litestar
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
    Tag,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.routes import HTTPRoute

from serang_app.http.openapi_names import MODULE_NAME_OPT, MODULE_OPT, check_operation_ids, key_schemas_by_title
from serang_app.http.openapi_schemas import ANSWER_VALUE, answer_value_schema, named_enum_schemas, reshape_schemas

# Routes answering bytes of a type known only when answering (a stored file) list the types here.
BINARY_OPT = "binary_media_types"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# The core's own groups of operations; a module's tag is its slug, described by its name.
_CORE_TAGS = {
    "admin": "Administration: agencies, staff, the catalogue, announcements, reports, the audit log.",
    "announcements": "Broadcasts to residents.",
    "app": "What the app reads at start: minimum versions, features.",
    "auth": "Sign-in, token refresh and sign-out.",
    "cases": "Every request a resident made, whatever the module: detail, actions, rating.",
    "catalogue": "The home screen's services.",
    "me": "The signed-in resident: profile, devices, notifications, data rights.",
    "ops": "Health and metrics for operators.",
    "reference": "Regions: districts and villages.",
    "staff": "Agency staff: sign-in and the case inbox.",
    "stats": "Public figures.",
    "uploads": "Photos and documents: presigned upload, then the server's check.",
}


def shape_for_clients(document: OpenAPI, app: Litestar) -> None:
    """Rewrite the app's ``document`` in place."""
    binary_types = {
        (method.lower(), route.path_format): tuple(handler.opt[BINARY_OPT])
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if handler.opt.get(BINARY_OPT)
        for method in handler.http_methods
    }
    module_names = {
        handler.opt[MODULE_OPT]: handler.opt[MODULE_NAME_OPT]
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if handler.opt.get(MODULE_NAME_OPT)
    }
    components = document.components if isinstance(document.components, Components) else Components()
    components.schemas = {
        **(components.schemas or {}),
        ANSWER_VALUE: answer_value_schema(),
        **named_enum_schemas(),
    }
    reshape_schemas(document)
    key_schemas_by_title(document)
    for path, item in (document.paths or {}).items():
        for method in _HTTP_METHODS:
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                _shape_operation(operation, binary_types.get((method, path), ()))
    check_operation_ids(document)
    _declare_tags(document, {**_CORE_TAGS, **module_names})


def _declare_tags(document: OpenAPI, descriptions: dict[str, str]) -> None:
    """Every tag the operations use, listed once at the top: generators and linters expect it."""
    used = {
        tag
        for item in (document.paths or {}).values()
        for method in _HTTP_METHODS
        if isinstance(operation := getattr(item, method, None), Operation)
        for tag in operation.tags or []
    }
    declared = {tag.name for tag in document.tags or []}
    document.tags = [
        *(document.tags or []),
        *(Tag(name=name, description=descriptions.get(name)) for name in sorted(used - declared)),
    ]


def _shape_operation(operation: Operation, binary_types: tuple[str, ...]) -> None:
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter) and parameter.required and isinstance(parameter.schema, Schema):
            parameter.schema = _not_null(parameter.schema)
    body = operation.request_body
    if isinstance(body, RequestBody):
        for media in body.content.values():
            schema = media.schema
            if isinstance(schema, Schema) and schema.any_of and len(schema.any_of) == 2:
                values = [s for s in schema.any_of if not (isinstance(s, Schema) and s.type == OpenAPIType.NULL)]
                if len(values) == 1 and isinstance(values[0], Reference):
                    media.schema = values[0]
                    body.required = False
    for status, response in (operation.responses or {}).items():
        if isinstance(response, OpenAPIResponse) and status.startswith("2"):
            if binary_types:
                response.content = {kind: OpenAPIMediaType(schema=_binary(kind)) for kind in binary_types}
            for kind, media in (response.content or {}).items():
                if _is_bytes(kind) and isinstance(media.schema, Schema) and media.schema.type == OpenAPIType.STRING:
                    media.schema = _binary(kind)
    if operation.security is None:
        operation.security = []


def _not_null(schema: Schema) -> Schema:
    if isinstance(schema.type, list | tuple):
        kinds = [kind for kind in schema.type if kind != OpenAPIType.NULL]
        return replace(schema, type=kinds[0] if len(kinds) == 1 else kinds)
    return schema


def _is_bytes(media_type: str) -> bool:
    kind = media_type.split(";")[0].strip()
    return not (kind.startswith("text/") or kind == "application/json" or kind.endswith("+json"))


def _binary(media_type: str) -> Schema:
    return Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, content_media_type=media_type)
