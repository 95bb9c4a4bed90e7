"""Headers that apply across the API, declared once as components and attached where they apply.

- `Accept-Language` on every operation: problem details and texts come in the caller's language.
- `X-App-Platform` and `X-App-Version` on every operation the update gate guards
  (app_config/version_gate.py): an app older than its platform's minimum is answered 426.
- `ETag` on every answer holding a case (and on 412, which names the case's current version):
  the value a change sends back as `If-Match`.
- Any other response header written the same way on several answers (a handler's own
  `response_headers`, Litestar's `Location` on redirects) is moved under components once and
  referred to, keyed by its name without dashes (`XContentTypeOptions`).
Operations are matched by what they do (their path, the schema they answer), so routes added
later, modules' included, are covered without listing them.
"""

from __future__ import annotations

from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType

from serang_app.app_config.version_gate import ALWAYS_SERVED

CASE_SCHEMA_REF = "#/components/schemas/CaseDetail"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_PARAMETERS = {
    "AcceptLanguage": Parameter(
        name="Accept-Language",
        param_in="header",
        required=False,
        schema=Schema(type=OpenAPIType.STRING, examples=["en", "id"]),
        description="`en` for English; Indonesian (`id`) otherwise. Problem details and texts follow it.",
    ),
    "AppPlatform": Parameter(
        name="X-App-Platform",
        param_in="header",
        required=False,
        # Not an enum: any other value is served as a request without the header (the web, tools).
        schema=Schema(type=OpenAPIType.STRING, examples=["android", "ios"]),
        description="`android` or `ios`; with X-App-Version, an app older than the platform's minimum "
        "(GET /v1/app/config) is answered 426 with the store link. Other values are ignored.",
    ),
    "AppVersion": Parameter(
        name="X-App-Version",
        param_in="header",
        required=False,
        schema=Schema(type=OpenAPIType.STRING, examples=["1.4.2"]),
        description="The app's version, dotted numbers; compared with the platform's minimum.",
    ),
}
_ETAG = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING, examples=['"7"']),
    description="The case's version: send it back as If-Match with the next change.",
)


def attach_shared_headers(document: OpenAPI) -> None:
    components = document.components if isinstance(document.components, Components) else Components()
    document.components = components
    components.parameters = {**(components.parameters or {}), **_PARAMETERS}
    components.headers = {**(components.headers or {}), "ETag": _ETAG}
    for path, item in (document.paths or {}).items():
        for method in _HTTP_METHODS:
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                names = ["AcceptLanguage"]
                if not path.startswith(ALWAYS_SERVED):
                    names += ["AppPlatform", "AppVersion"]
                _add_parameters(operation, names)
                _add_case_etag(operation)
    _share_repeated_headers(document, components)


def _responses(document: OpenAPI) -> list[OpenAPIResponse]:
    found = []
    for item in (document.paths or {}).values():
        for method in _HTTP_METHODS:
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                found += [r for r in (operation.responses or {}).values() if isinstance(r, OpenAPIResponse)]
    return found


def _share_repeated_headers(document: OpenAPI, components: Components) -> None:
    """Declare once under components every response header written inline, identically, more than once."""
    responses = _responses(document)
    seen: dict[str, list[OpenAPIHeader]] = {}
    for response in responses:
        for name, header in (response.headers or {}).items():
            if isinstance(header, OpenAPIHeader):
                seen.setdefault(name, []).append(header)
    shared = components.headers = dict(components.headers or {})
    keys: dict[str, str] = {}
    for name, headers in seen.items():
        key = "".join(part[:1].upper() + part[1:] for part in name.split("-"))
        if len(headers) > 1 and all(h == headers[0] for h in headers) and shared.get(key, headers[0]) == headers[0]:
            shared[key] = headers[0]
            keys[name] = key
    for response in responses:
        response.headers = {
            name: Reference(ref=f"#/components/headers/{keys[name]}")
            if name in keys and isinstance(header, OpenAPIHeader)
            else header
            for name, header in (response.headers or {}).items()
        } or response.headers


def _add_parameters(operation: Operation, names: list[str]) -> None:
    parameters = list(operation.parameters or [])
    present = {p.ref for p in parameters if isinstance(p, Reference)}
    for name in names:
        reference = f"#/components/parameters/{name}"
        if reference not in present:
            parameters.append(Reference(ref=reference))
    operation.parameters = parameters


def _add_case_etag(operation: Operation) -> None:
    responses = operation.responses or {}
    answers_case = any(
        isinstance(response, OpenAPIResponse)
        and any(
            isinstance(m.schema, Reference) and m.schema.ref == CASE_SCHEMA_REF
            for m in (response.content or {}).values()
        )
        for response in responses.values()
    )
    if not answers_case:
        return
    for status, response in responses.items():
        if isinstance(response, OpenAPIResponse) and (status.startswith("2") or status == "412"):
            response.headers = {**(response.headers or {}), "ETag": Reference(ref="#/components/headers/ETag")}
