"""Schemas in the forms client generators turn into real types, whatever route or module they come from.

Litestar writes Python's types faithfully but in shapes generators handle badly:
- ``T | None`` as ``oneOf: [T, {type: null}]`` with T's keywords beside the oneOf, and
  ``Literal[...] | None`` as ``type: [null, string]`` with null inside the enum (Python's generator
  makes three enum classes of it): one form here, ``type: [T, "null"]`` for a plain value and
  ``anyOf: [T, {type: null}]`` for a reference or an enum (the enum itself never holds null);
- ``UnsetType | T`` (PATCH fields) as a ``oneOf`` of one branch: that branch itself;
- the answer to a form field (forms/fields.py, ``str | float | list[str]``) inline wherever it is
  used: Kotlin made an empty class of it that lost the data. It becomes one named component,
  AnswerValue, a ``oneOf`` of three primitives that openapi-generator turns into a wrapper type.
Each rule runs on every schema of the document, so a new route or module gets the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any

from litestar.openapi.spec import Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType

from serang_app.cases.closed_date_kinds import CLOSED_DATE_KINDS
from serang_app.cases.workflow import PHASES

# Closed sets used in many places: one enum class in generated clients, not one per property.
NAMED_ENUMS: dict[str, tuple[str, ...]] = {"Phase": PHASES, "ClosedDateKind": CLOSED_DATE_KINDS}
ANSWER_VALUE = "AnswerValue"
ANSWER_VALUE_REF = f"#/components/schemas/{ANSWER_VALUE}"
_NULL = Schema(type=OpenAPIType.NULL)
# Fields of Schema holding data, not schemas: never walked.
_DATA_FIELDS = frozenset({"data_container", "examples", "example", "default", "enum", "const", "discriminator", "xml"})


def answer_value_schema() -> Schema:
    return Schema(
        title=ANSWER_VALUE,
        description="The answer to a form field: text (string, text, datetime, singlevaluelist), "
        "a number (number) or several choices (multivaluelist).",
        one_of=[
            Schema(type=OpenAPIType.STRING),
            Schema(type=OpenAPIType.NUMBER),
            Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING)),
        ],
    )


def reshape_schemas(node: Any) -> Any:
    """Every schema under ``node`` (an OpenAPI object, a list or a dict) rewritten, innermost first."""
    return map_nodes(node, lambda found: _reshape(found) if isinstance(found, Schema) else found)


def map_nodes(node: Any, change: Callable[[Any], Any]) -> Any:
    """``node`` with every OpenAPI object under it replaced by ``change(object)``, innermost first."""
    if isinstance(node, list | tuple):
        return [map_nodes(item, change) for item in node]
    if isinstance(node, dict):
        return {key: map_nodes(value, change) for key, value in node.items()}
    if not is_dataclass(node) or isinstance(node, type):
        return node
    for field in fields(node):
        if isinstance(node, Schema) and field.name in _DATA_FIELDS:
            continue
        value = getattr(node, field.name)
        if value is not None:
            setattr(node, field.name, map_nodes(value, change))
    return change(node)


def named_enum_schemas() -> dict[str, Schema]:
    return {
        name: Schema(title=name, type=OpenAPIType.STRING, enum=list(values)) for name, values in NAMED_ENUMS.items()
    }


def _reshape(schema: Schema) -> Schema | Reference:
    named = _named_enum(schema)
    if named is not None:
        return named
    if schema.one_of is not None:
        branches = list(schema.one_of)
        values = [branch for branch in branches if not _is_null(branch)]
        nullable = len(values) < len(branches)
        if _is_answer_value(values) and schema.title != ANSWER_VALUE:
            reference = Reference(ref=ANSWER_VALUE_REF)
            return Schema(any_of=[reference, _NULL]) if nullable else reference
        if len(values) == 1:
            return _nullable(replace(schema, one_of=None), values[0]) if nullable else _merged(schema, values[0])
    if isinstance(schema.type, list | tuple) and OpenAPIType.NULL in schema.type and schema.enum is not None:
        others = [kind for kind in schema.type if kind != OpenAPIType.NULL]
        inner = Schema(type=others[0] if len(others) == 1 else others, enum=[v for v in schema.enum if v is not None])
        return replace(schema, type=None, enum=None, any_of=[_named_enum(inner) or inner, _NULL])
    return schema


def _named_enum(schema: Schema) -> Reference | None:
    if schema.type != OpenAPIType.STRING or schema.enum is None:
        return None
    for name, values in NAMED_ENUMS.items():
        if schema.title != name and tuple(schema.enum) == values:
            if replace(schema, type=None, enum=None, description=None) != Schema():
                return None  # more than the set (a default, examples): kept inline, with them
            return Reference(ref=f"#/components/schemas/{name}", description=schema.description)
    return None


def _nullable(outer: Schema, value: Schema | Reference) -> Schema | Reference:
    """``value`` or null, with the keywords Litestar wrote beside the oneOf."""
    if isinstance(value, Schema) and isinstance(value.type, OpenAPIType) and value.enum is None and _plain(value):
        merged = _merged(outer, value)
        assert isinstance(merged, Schema)
        return replace(merged, type=[value.type, OpenAPIType.NULL])
    return replace(outer, any_of=[value, _NULL])


def _merged(outer: Schema, value: Schema | Reference) -> Schema | Reference:
    """One schema of a single-branch oneOf and the keywords beside it."""
    rest = replace(outer, one_of=None)
    if isinstance(value, Reference):
        if rest == Schema(description=rest.description):
            return Reference(ref=value.ref, description=rest.description)
        return replace(rest, all_of=[value])
    kept = {field.name: getattr(rest, field.name) for field in fields(rest) if getattr(rest, field.name) is not None}
    return replace(value, **kept)


def _plain(schema: Schema) -> bool:
    return schema.one_of is None and schema.any_of is None and schema.all_of is None


def _is_null(schema: Schema | Reference) -> bool:
    return isinstance(schema, Schema) and schema.type == OpenAPIType.NULL


def _is_answer_value(values: list[Schema | Reference]) -> bool:
    kinds = sorted(
        (str(v.type), str(v.items.type) if isinstance(v.items, Schema) else "")
        for v in values
        if isinstance(v, Schema) and _plain(v)
    )
    return len(values) == 3 and kinds == sorted(
        [
            (str(OpenAPIType.STRING), ""),
            (str(OpenAPIType.NUMBER), ""),
            (str(OpenAPIType.ARRAY), str(OpenAPIType.STRING)),
        ]
    )
