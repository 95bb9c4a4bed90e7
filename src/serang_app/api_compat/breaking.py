"""Breaking changes between two OpenAPI documents, compared by what travels on the wire.

Apps in the field were generated from the released document and live for months, so a change to
`/v1` that an old app cannot survive must be declared (api_compat/declared.py). Compared are the
operations (method and path, path parameters unnamed), their parameters, bodies and successful
answers, with every `$ref` followed: schema names, operationIds, descriptions and the way a
nullable value is written may change freely, as a generated client's wire traffic stays the same.

Breaking, as oasdiff's rules count it for the cases this API has:
- an operation removed, or a successful status or media type it answered;
- a new required input: a required parameter or header, a body that becomes required, a required
  body field;
- an input narrowed: a type no longer accepted, an enum value removed or a free value limited to
  an enum, a length, range or item limit added or tightened, a pattern added or changed (also when
  the server always refused such input and only the document now says so: the check cannot tell,
  so such a change is declared with that reason);
- an output field removed or no longer always present, and an output widened: a type the old
  client cannot read (null included) or an enum value it does not know (generated enums refuse
  unknown values).

Each change is one line that names where it is (`GET /v1/cases/{}: response 200: items[].status:
enum value added 'x'`); the same line is what a declaration names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_TEMPLATE = re.compile(r"\{[^}]*\}")
_MAX_DEPTH = 12
# Limits a request may no longer exceed (narrowed when the new one is lower) and below which it may
# no longer go (narrowed when the new one is higher).
_UPPER_LIMITS = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")
_LOWER_LIMITS = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")
_ALL_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})


def breaking_changes(old: dict[str, Any], new: dict[str, Any], *, prefix: str = "/v1/") -> list[str]:
    """Every change of `new` that breaks a client of `old`, for the paths under `prefix`."""
    new_operations = dict(_operations(new, prefix))
    changes: list[str] = []
    for key, old_operation in _operations(old, prefix):
        new_operation = new_operations.get(key)
        if new_operation is None:
            changes.append(f"{key}: operation removed")
            continue
        changes += [f"{key}: {change}" for change in _operation_changes(old, old_operation, new, new_operation)]
    return changes


def _operations(document: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                operation = dict(item[method])
                operation["parameters"] = [*shared, *operation.get("parameters", [])]
                yield f"{method.upper()} {_TEMPLATE.sub('{}', path)}", operation


def _operation_changes(
    old_doc: dict[str, Any], old: dict[str, Any], new_doc: dict[str, Any], new: dict[str, Any]
) -> Iterator[str]:
    old_parameters = _parameters(old_doc, old)
    for (place, name), parameter in _parameters(new_doc, new).items():
        before = old_parameters.get((place, name))
        if place == "path":
            continue  # path parameters are matched by position with the path itself
        if parameter.get("required") and (before is None or not before.get("required")):
            yield f"new required {place} parameter {name}"
        if before is not None:
            yield from _schema_changes(
                Side(old_doc, before.get("schema", {})),
                Side(new_doc, parameter.get("schema", {})),
                "request",
                f"{place} parameter {name}",
            )
    yield from _body_changes(old_doc, old.get("requestBody"), new_doc, new.get("requestBody"))
    old_answers, new_answers = old.get("responses", {}), new.get("responses", {})
    for status, answer in old_answers.items():
        if not str(status).startswith("2"):
            continue
        if status not in new_answers:
            yield f"response {status} removed"
            continue
        old_content = _resolve(old_doc, answer).get("content", {})
        new_content = _resolve(new_doc, new_answers[status]).get("content", {})
        for media_type, media in old_content.items():
            if media_type not in new_content:
                yield f"response {status}: media type {media_type} removed"
                continue
            yield from _schema_changes(
                Side(old_doc, media.get("schema", {})),
                Side(new_doc, new_content[media_type].get("schema", {})),
                "response",
                f"response {status}",
            )


def _parameters(document: dict[str, Any], operation: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for parameter in operation.get("parameters", []):
        resolved = _resolve(document, parameter)
        name = resolved["name"].lower() if resolved["in"] == "header" else resolved["name"]
        found[(resolved["in"], name)] = resolved
    return found


def _body_changes(
    old_doc: dict[str, Any], old: dict[str, Any] | None, new_doc: dict[str, Any], new: dict[str, Any] | None
) -> Iterator[str]:
    if new is None:
        return
    new = _resolve(new_doc, new)
    if new.get("required") and (old is None or not _resolve(old_doc, old).get("required")):
        yield "request body now required"
    if old is None:
        return
    old_content, new_content = _resolve(old_doc, old).get("content", {}), new.get("content", {})
    for media_type, media in old_content.items():
        if media_type not in new_content:
            yield f"request body: media type {media_type} no longer accepted"
            continue
        yield from _schema_changes(
            Side(old_doc, media.get("schema", {})),
            Side(new_doc, new_content[media_type].get("schema", {})),
            "request",
            "request body",
        )


class Side:
    """A schema with the document its references point into."""

    __slots__ = ("document", "schema")

    def __init__(self, document: dict[str, Any], schema: Any) -> None:
        self.document = document
        self.schema = _resolve(document, schema) if isinstance(schema, dict) else {}

    def branches(self) -> list[dict[str, Any]]:
        """The schema's alternatives, `anyOf`/`oneOf` flattened, each resolved."""
        found: list[dict[str, Any]] = []
        pending = [self.schema]
        while pending:
            schema = pending.pop(0)
            union = schema.get("anyOf") or schema.get("oneOf")
            if union:
                pending += [_resolve(self.document, branch) for branch in union]
            else:
                found.append(schema)
        return found

    def types(self) -> frozenset[str]:
        types: set[str] = set()
        for branch in self.branches():
            kind = branch.get("type")
            if isinstance(kind, list):
                types.update(kind)
            elif isinstance(kind, str):
                types.add(kind)
            elif "properties" in branch:
                types.add("object")
            elif "const" in branch or "enum" in branch:
                values = branch["enum"] if "enum" in branch else [branch["const"]]
                types.update(_json_type(value) for value in values)
            else:
                return _ALL_TYPES
        if "integer" in types:
            types.discard("integer")
            types.add("integer" if "number" not in types else "number")
        return frozenset(types)

    def enum(self) -> frozenset[Any] | None:
        """The closed set of values, when every non-null branch has one."""
        values: set[Any] = set()
        for branch in self.branches():
            if branch.get("type") == "null":
                continue
            if "enum" in branch:
                values.update(value for value in branch["enum"] if value is not None)
            elif "const" in branch:
                values.add(branch["const"])
            else:
                return None
        return frozenset(values)

    def merged(self, keyword: str) -> Any:
        """A keyword of the schema or of the branch that has it (objects' properties, arrays'
        items, limits: a nullable value may carry them beside its `oneOf` or inside a branch)."""
        for branch in [self.schema, *self.branches()]:
            if keyword in branch:
                return branch[keyword]
        return None

    def child(self, schema: Any) -> Side:
        return Side(self.document, schema)


def _schema_changes(old: Side, new: Side, direction: str, where: str, path: str = "", depth: int = 0) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    at = f"{where}: {path}" if path else where
    old_types, new_types = old.types(), new.types()
    if direction == "request" and old_types - new_types:
        yield f"{at}: no longer accepts {', '.join(sorted(old_types - new_types))}"
    if direction == "response" and new_types - old_types:
        yield f"{at}: may now be {', '.join(sorted(new_types - old_types))}"
    old_enum, new_enum = old.enum(), new.enum()
    if direction == "request" and old_enum is not None and new_enum is not None:
        for value in sorted(old_enum - new_enum, key=repr):
            yield f"{at}: enum value removed {value!r}"
    if direction == "request" and old_enum is None and new_enum is not None:
        yield f"{at}: now limited to {', '.join(sorted(map(repr, new_enum)))}"
    if direction == "response" and old_enum is not None and new_enum is not None:
        for value in sorted(new_enum - old_enum, key=repr):
            yield f"{at}: enum value added {value!r}"
    if direction == "request":
        yield from _limit_changes(old, new, at)
    yield from _property_changes(old, new, direction, where, path, depth)
    old_items, new_items = old.merged("items"), new.merged("items")
    if isinstance(old_items, dict) and isinstance(new_items, dict):
        yield from _schema_changes(old.child(old_items), new.child(new_items), direction, where, f"{path}[]", depth + 1)
    old_values, new_values = old.merged("additionalProperties"), new.merged("additionalProperties")
    if isinstance(old_values, dict) and isinstance(new_values, dict):
        yield from _schema_changes(
            old.child(old_values), new.child(new_values), direction, where, f"{path}{{}}", depth + 1
        )


def _limit_changes(old: Side, new: Side, at: str) -> Iterator[str]:
    for keyword in _UPPER_LIMITS:
        before, after = old.merged(keyword), new.merged(keyword)
        if after is not None and (before is None or after < before):
            yield f"{at}: {keyword} lowered to {after}"
    for keyword in _LOWER_LIMITS:
        before, after = old.merged(keyword), new.merged(keyword)
        if after is not None and (before is None or after > before):
            yield f"{at}: {keyword} raised to {after}"
    before_pattern, after_pattern = old.merged("pattern"), new.merged("pattern")
    if after_pattern is not None and after_pattern != before_pattern:
        yield f"{at}: pattern changed"


def _property_changes(old: Side, new: Side, direction: str, where: str, path: str, depth: int) -> Iterator[str]:
    old_properties = old.merged("properties") or {}
    new_properties = new.merged("properties") or {}
    old_required = set(old.merged("required") or ())
    new_required = set(new.merged("required") or ())
    for name in sorted(set(old_properties) | set(new_properties)):
        field = f"{path}.{name}" if path else name
        at = f"{where}: {field}"
        if direction == "request" and name in new_required and name not in old_required:
            yield f"{at}: new required field"
        if direction == "response" and name in old_properties and name not in new_properties:
            yield f"{at}: field removed"
            continue
        if direction == "response" and name in old_required and name not in new_required:
            yield f"{at}: no longer always present"
        if name in old_properties and name in new_properties:
            yield from _schema_changes(
                old.child(old_properties[name]), new.child(new_properties[name]), direction, where, field, depth + 1
            )


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s (a chain of them too) to the node they name."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < _MAX_DEPTH:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"
