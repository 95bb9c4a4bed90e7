"""The committed openapi/openapi.json: current, valid, and in a shape client generators accept.

The mobile team generates its Dart and Kotlin clients from this file, so besides being valid
OpenAPI it must describe every error as a Problem (RFC 9457) and avoid the schemas the
generators reject.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.openapi import spec
from litestar.routes import HTTPRoute
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from serang_app.app import create_app
from serang_app.http.openapi_document import render_openapi
from serang_app.http.openapi_names import check_operation_ids, key_schemas_by_title
from serang_app.settings import load_settings
from tests.support.database import PROJECT_ROOT

COMMITTED = PROJECT_ROOT / "openapi" / "openapi.json"
PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_MEDIA_TYPE = "application/problem+json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(COMMITTED.read_text(encoding="utf-8"))
    return loaded


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_committed_document_is_current() -> None:
    generated = render_openapi(create_app(load_settings({})))
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != generated:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    "openapi/openapi.json (committed)",
                    "openapi/openapi.json (generated)",
                )
            )[:80]
        )
        pytest.fail(f"openapi/openapi.json is stale: run `make openapi` and commit the result.\n{diff}", pytrace=False)


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    try:
        validate(document)
    except OpenAPIValidationError as error:
        pytest.fail(f"openapi/openapi.json is not valid OpenAPI: {error}", pytrace=False)


def test_the_document_has_operations(document: dict[str, Any]) -> None:
    """The other checks loop over operations; an empty document must not pass them silently."""
    paths = {path for path, _, _ in operations(document)}
    assert {"/healthz", "/readyz", "/v1/services", "/v1/regions"} <= paths


def test_every_error_response_is_a_problem(document: dict[str, Any]) -> None:
    assert "Problem" in document["components"]["schemas"]
    wrong = []
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            expected = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
            if response.get("content") != expected:
                wrong.append(f"{method.upper()} {path} {status}: {json.dumps(response.get('content'))}")
    assert not wrong, f"error responses that are not {PROBLEM_MEDIA_TYPE} with the Problem schema:\n" + "\n".join(wrong)


def test_every_response_documents_its_headers(document: dict[str, Any]) -> None:
    missing = []
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            headers = response.get("headers", {})
            if "X-Request-ID" not in headers:
                missing.append(f"{method.upper()} {path} {status}: X-Request-ID")
            if status[0] in "45" and "Content-Language" not in headers:
                missing.append(f"{method.upper()} {path} {status}: Content-Language")
            if status in ("429", "503") and "Retry-After" not in headers:
                missing.append(f"{method.upper()} {path} {status}: Retry-After")
    for path in ("/v1/services", "/v1/regions"):
        for status in ("200", "304"):
            headers = document["paths"][path]["get"]["responses"][status]["headers"]
            if not {"ETag", "Cache-Control"} <= set(headers):
                missing.append(f"GET {path} {status}: ETag, Cache-Control")
    assert not missing, "undocumented response headers:\n" + "\n".join(missing)


def test_guarded_operations_name_the_bearer_scheme(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, method, operation in operations(document):
        guarded = "401" in operation["responses"]
        assert (
            (operation.get("security") == [{"bearerAuth": []}]) == guarded
            or path.startswith("/v1/auth")
            or path == "/v1/staff/auth/login"
            or path == "/metrics"
        ), f"{method.upper()} {path}"


def test_metrics_name_the_operators_token(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["metricsToken"]["scheme"] == "bearer"
    operation = document["paths"]["/metrics"]["get"]
    assert operation["security"] == [{"metricsToken": []}]
    assert {"401", "404"} <= set(operation["responses"])


def arrays_with_additional_properties(node: object, where: str = "#") -> Iterator[str]:
    """Where a schema says `type: array` and `additionalProperties` together, at any depth."""
    if isinstance(node, dict):
        kind = node.get("type")
        is_array = kind == "array" or (isinstance(kind, list) and "array" in kind)
        if is_array and "additionalProperties" in node:
            yield where
        for key, value in node.items():
            yield from arrays_with_additional_properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from arrays_with_additional_properties(value, f"{where}/{index}")


def test_the_finder_of_generator_hostile_arrays_finds_them() -> None:
    """Litestar's own validation-error schema, nested as it would be in a response."""
    litestar_default = {
        "type": "object",
        "properties": {
            "extra": {
                "oneOf": [
                    {"type": "null"},
                    {"type": "object", "additionalProperties": {}},
                    {"type": "array", "items": {}, "additionalProperties": {}},
                ]
            },
            "tags": {"type": ["array", "null"], "items": {"type": "string"}, "additionalProperties": False},
            # A property may be called "type" without being a schema keyword.
            "type": {"type": "string"},
        },
    }
    assert list(arrays_with_additional_properties(litestar_default)) == [
        "#/properties/extra/oneOf/2",
        "#/properties/tags",
    ]


def test_no_schema_is_an_array_with_additional_properties(document: dict[str, Any]) -> None:
    found = list(arrays_with_additional_properties(document))
    assert not found, f"schemas with `type: array` and `additionalProperties` (client generators reject them): {found}"


def test_every_operation_has_an_id_a_summary_and_a_success_response(document: dict[str, Any]) -> None:
    missing = []
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        if not operation.get("operationId"):
            missing.append(f"{where}: no operationId")
        if not operation.get("summary"):
            missing.append(f"{where}: no summary")
        # A redirect (3xx) is the success of an operation that answers with one.
        if not any(status[0] in "23" for status in operation.get("responses", {})):
            missing.append(f"{where}: no 2xx or 3xx response")
    assert not missing, "\n".join(missing)


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)), sorted(ids)


def test_every_summary_is_written_by_hand(document: dict[str, Any]) -> None:
    """Litestar fills a missing summary with the handler's name ("Get", "ListServices"): not for readers."""
    app: Litestar = create_app(load_settings({}))
    handlers = {
        (route.path_format, method.lower()): handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }
    generated = []
    for path, method, operation in operations(document):
        handler = handlers.get((path, method))
        assert handler is not None, f"{method.upper()} {path} is documented but the app has no such route"
        if not handler.summary:
            generated.append(f"{method.upper()} {path}: {operation.get('summary')!r} ({handler.handler_name})")
    assert not generated, "operations without a summary of their own:\n" + "\n".join(generated)


# --- shapes client generators turn into real types (http/openapi_clients.py) ---------------------


def schemas_in(node: object, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema-like object under ``node`` with where it is."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from schemas_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schemas_in(value, f"{where}/{index}")


def test_a_form_answer_is_one_named_union(document: dict[str, Any]) -> None:
    """Kotlin made an empty class of the inline union and lost the answers; a named oneOf of
    primitives becomes a wrapper type that reads and writes "pothole", 3 and ["a", "b"]."""
    answer = document["components"]["schemas"]["AnswerValue"]
    assert answer["oneOf"] == [{"type": "string"}, {"type": "number"}, {"items": {"type": "string"}, "type": "array"}]
    ref = {"$ref": "#/components/schemas/AnswerValue"}
    schemas = document["components"]["schemas"]
    assert schemas["ComplaintsComplaintDraft"]["properties"]["attributes"]["additionalProperties"] == ref
    assert schemas["PermitsApplication"]["properties"]["answers"]["additionalProperties"] == ref
    assert schemas["PermitsAnswerChanges"]["properties"]["answers"]["additionalProperties"] == {
        "anyOf": [ref, {"type": "null"}]
    }


def test_unions_are_named_and_null_is_written_one_way(document: dict[str, Any]) -> None:
    wrong = []
    for where, schema in schemas_in(document):
        if where == "#/components/schemas/AnswerValue":
            continue
        for keyword in ("oneOf", "anyOf", "allOf"):
            branches = schema.get(keyword)
            if not isinstance(branches, list) or where.endswith("/properties"):
                continue
            values = [branch for branch in branches if branch != {"type": "null"}]
            if keyword == "oneOf":
                wrong.append(f"{where}: oneOf (unions are named components, null is anyOf or a type list)")
            elif len(values) != 1 or len(branches) != 2:
                wrong.append(f"{where}: {keyword} of {len(branches)} (only [X, null] is written inline)")
        if isinstance(schema.get("enum"), list) and None in schema["enum"]:
            wrong.append(f"{where}: null inside an enum")
    assert not wrong, "\n".join(wrong)


def test_schema_names_are_their_titles_and_modules_are_named(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert [key for key, schema in schemas.items() if schema.get("title", key) != key] == []
    # The catalogue's and the appointments module's services no longer share a name.
    assert {"Service", "ServiceList", "AppointmentsService", "AppointmentsServiceList"} <= set(schemas)
    assert not [key for key in schemas if "_" in key]


def test_operation_ids_say_what_they_do(document: dict[str, Any]) -> None:
    """A bare verb (`start`, `report`, `merge`) collides in an SDK that puts every call in one namespace."""
    bare = [operation["operationId"] for _, _, operation in operations(document) if operation["operationId"].islower()]
    assert not bare, f"operation ids of one word: {bare}"
    ids = {operation["operationId"] for _, _, operation in operations(document)}
    assert {"complaintsReport", "complaintsMerge", "complaintsDetail", "startUpload", "rateCase"} <= ids


def test_if_match_is_a_required_string_and_bodies_are_named(document: dict[str, Any]) -> None:
    action = document["paths"]["/v1/cases/{case_id}/actions/{action}"]["post"]
    if_match = next(p for p in action["parameters"] if p["name"] == "If-Match")
    assert (if_match["required"], if_match["schema"]["type"]) == (True, "string")
    assert action["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionRequest"}}},
        "required": False,
    }
    inline = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        for media in operation.get("requestBody", {}).get("content", {}).values()
        if "$ref" not in media["schema"] and media["schema"].get("type") == "object"
    ]
    assert not inline, f"inline request bodies: {inline}"


def test_bytes_are_binary_with_their_media_type(document: dict[str, Any]) -> None:
    def content(path: str) -> dict[str, Any]:
        found: dict[str, Any] = document["paths"][path]["get"]["responses"]["200"]["content"]
        return found

    assert content("/v1/appointments/{booking_id}/qr.png")["image/png"]["schema"]["format"] == "binary"
    assert content("/v1/permits/applications/{application_id}/permit.pdf")["application/pdf"]["schema"] == {
        "contentMediaType": "application/pdf",
        "format": "binary",
        "type": "string",
    }
    stored = content("/v1/storage/{key}")
    assert "application/json" not in stored
    assert all(media["schema"]["format"] == "binary" for media in stored.values())


def test_every_operation_states_its_security(document: dict[str, Any]) -> None:
    """`security: []` on a public operation: without it linters and generators cannot tell it from a forgotten one."""
    missing = [
        f"{method.upper()} {path}" for path, method, operation in operations(document) if "security" not in operation
    ]
    assert not missing, missing


def test_shared_headers_are_components_on_every_operation_they_apply_to(document: dict[str, Any]) -> None:
    parameters = document["components"]["parameters"]
    assert {parameters[name]["name"] for name in ("AcceptLanguage", "AppPlatform", "AppVersion")} == {
        "Accept-Language",
        "X-App-Platform",
        "X-App-Version",
    }
    missing = []
    for path, method, operation in operations(document):
        refs = {p.get("$ref", "").rsplit("/", 1)[-1] for p in operation.get("parameters", [])}
        gated = path not in ("/v1/app/config", "/healthz", "/readyz")
        expected = {"AcceptLanguage"} | ({"AppPlatform", "AppVersion"} if gated else set())
        if not expected <= refs or ("426" in operation["responses"]) != gated:
            missing.append(f"{method.upper()} {path}")
    assert not missing, "operations without the shared headers (or with a wrong 426):\n" + "\n".join(missing)


def test_no_header_is_written_inline_more_than_once(document: dict[str, Any]) -> None:
    inline: dict[str, int] = {}
    for _path, _method, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if "$ref" not in parameter and parameter["in"] == "header":
                inline[f"parameter {parameter['name']}"] = inline.get(f"parameter {parameter['name']}", 0) + 1
        for response in operation["responses"].values():
            for name, header in response.get("headers", {}).items():
                if "$ref" not in header:
                    inline[f"header {name}"] = inline.get(f"header {name}", 0) + 1
    repeated = {name: count for name, count in inline.items() if count > 1}
    assert not repeated, f"headers written inline on several operations instead of a component: {repeated}"


def test_idempotency_headers_are_components_on_every_guarded_change(document: dict[str, Any]) -> None:
    key = document["components"]["parameters"]["IdempotencyKey"]
    assert (key["name"], key["in"], key["required"]) == ("Idempotency-Key", "header", False)
    assert document["components"]["headers"]["IdempotentReplayed"]["schema"]["enum"] == ["true"]
    key_ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    replayed_ref = {"$ref": "#/components/headers/IdempotentReplayed"}
    missing = []
    for path, method, operation in operations(document):
        if method not in ("post", "put", "patch") or not operation.get("security"):
            continue
        if operation["security"] == [{"bearerAuth": []}]:
            if key_ref not in operation["parameters"]:
                missing.append(f"{method.upper()} {path}: Idempotency-Key")
            success = next(r for code, r in operation["responses"].items() if code.startswith("2"))
            if success["headers"].get("Idempotent-Replayed") != replayed_ref:
                missing.append(f"{method.upper()} {path}: Idempotent-Replayed")
    assert not missing, "\n".join(missing)
    create = document["paths"]["/v1/complaints"]["post"]
    assert key_ref in create["parameters"]


def test_an_upload_reference_is_named_upload_ids_and_the_old_names_are_deprecated(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for schema, new, old in (
        ("ComplaintsComplaintDetail", "photo_upload_ids", "photo_ids"),
        ("CaseDetail", "attachment_upload_ids", "attachments"),
    ):
        properties = schemas[schema]["properties"]
        assert properties[new]["items"] == {"type": "string", "format": "uuid"}
        assert new in schemas[schema]["required"]
        assert properties[old]["deprecated"] is True
        assert "deprecated" not in properties[new]
    assert "photo_upload_ids" in schemas["ComplaintsComplaintDraft"]["properties"]


def test_my_applications_and_bookings_are_pages(document: dict[str, Any]) -> None:
    for path in ("/v1/permits/applications", "/v1/appointments"):
        operation = document["paths"][path]["get"]
        names = {p.get("name") for p in operation["parameters"]}
        assert {"limit", "cursor"} <= names
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"items", "next_cursor"}
        assert set(page["required"]) == {"items", "next_cursor"}


def test_every_instant_parameter_is_a_date_time(document: dict[str, Any]) -> None:
    untyped = []
    for path, method, operation in operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if "T\\d{2}:\\d{2}" in schema.get("pattern", "") and schema.get("format") != "date-time":
                untyped.append(f"{method.upper()} {path} {parameter['name']}")
    assert not untyped, "instants typed as plain strings: " + ", ".join(untyped)
    [since] = [p for p in document["paths"]["/v1/me/cases"]["get"]["parameters"] if p.get("name") == "updated_since"]
    assert since["schema"]["format"] == "date-time"


def test_every_answer_holding_a_case_carries_its_etag(document: dict[str, Any]) -> None:
    etag = {"$ref": "#/components/headers/ETag"}
    action = document["paths"]["/v1/cases/{case_id}/actions/{action}"]["post"]
    assert action["responses"]["200"]["headers"]["ETag"] == etag
    assert action["responses"]["412"]["headers"]["ETag"] == etag
    assert {"412", "428"} <= set(action["responses"])
    assert document["paths"]["/v1/cases/{case_id}"]["get"]["responses"]["200"]["headers"]["ETag"] == etag


def test_closed_sets_are_enums_and_the_phase_is_one_class(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Phase"]["enum"] == [
        "submitted",
        "in_progress",
        "waiting_for_resident",
        "completed",
        "rejected",
        "cancelled",
    ]
    phase = {"$ref": "#/components/schemas/Phase"}
    assert schemas["CaseSummary"]["properties"]["phase"] == phase
    assert schemas["ComplaintsComplaintDetail"]["properties"]["phase"] == phase
    assert json.dumps(document).count('"waiting_for_resident"') == 1, "the phases are written inline somewhere"
    assert schemas["Device"]["properties"]["platform"]["enum"] == ["android", "ios"]
    assert schemas["Device"]["properties"]["locale"]["enum"] == ["id", "en"]


def test_two_schemas_or_operations_with_one_name_stop_the_document() -> None:
    """What keeps a new module from colliding again: the document does not build."""
    info = spec.Info(title="t", version="1")
    servers = [spec.Server(url="/")]  # Litestar's default for it cannot be called
    schemas: dict[str, spec.Schema] = {
        "catalogue_Service": spec.Schema(title="Service"),
        "wells_Service": spec.Schema(title="Service"),
    }
    with pytest.raises(ValueError, match="'Service'"):
        key_schemas_by_title(spec.OpenAPI(info=info, servers=servers, components=spec.Components(schemas=schemas)))
    twice = spec.PathItem(get=spec.Operation(operation_id="report"), post=spec.Operation(operation_id="report"))
    with pytest.raises(ValueError, match="'report'"):
        check_operation_ids(spec.OpenAPI(info=info, servers=servers, paths={"/v1/x": twice}))
