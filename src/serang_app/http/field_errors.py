"""Every schema error of a JSON body at once, each with its field's path and kind.

msgspec stops at a body's first error. When it has found one, the body is walked again against
the body type's own JSON Schema (`msgspec.json.schema`, the same constraints msgspec checks)
with jsonschema, which yields every error with its place in the document. Only bodies that
already failed pay for this walk, and at most `MAX_ERRORS` errors are listed.

Each error becomes a `FieldProblem`: a path written as clients address the field
(`attributes.road_kind`, `photo_upload_ids[2]`, `body` for the whole document), a kind from
http/field_messages.py and the kind's details (a length limit, the expected type). msgspec's own
message is also read into one (`msgspec_problem`), for the errors of query, path and header
parameters, which Litestar reports with msgspec's English text, and for the rare error the schema
does not express: msgspec's error is always listed, so the answer never names less than msgspec
found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

import jsonschema
import msgspec
from jsonschema.exceptions import ValidationError

MAX_ERRORS = 50
BODY = "body"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One field's schema error: where, which kind, and the kind's details."""

    field: str
    code: str
    params: dict[str, object] = default(default_factory=dict)


_VALIDATORS: dict[Any, jsonschema.protocols.Validator | None] = {}


def body_problems(body_type: Any, document: Any, first_error: str) -> list[FieldProblem]:
    """Every error of `document` against `body_type`, given the message of msgspec's first one."""
    first = msgspec_problem(first_error)
    validator = _validator(body_type)
    if validator is None:
        return [first]
    problems = _unique(_problems(validator.iter_errors(document)))
    if not any(_same_field(first.field, problem.field) for problem in problems):
        problems.insert(0, first)
    problems += _unstated_problems(body_type, document, problems)
    return problems[:MAX_ERRORS]


def _unstated_problems(body_type: Any, document: Any, found: list[FieldProblem]) -> list[FieldProblem]:
    """Errors the schema does not state (msgspec's schema of a datetime has no format, as msgspec
    also reads one without an offset): each top-level field of a Struct body that no error names
    yet is converted alone, and its first error, if any, is named."""
    if not (isinstance(body_type, type) and issubclass(body_type, msgspec.Struct) and isinstance(document, dict)):
        return []
    named = {problem.field.split(".")[0].split("[")[0] for problem in found}
    problems = []
    for info in msgspec.structs.fields(body_type):
        if info.encode_name in named or info.encode_name not in document:
            continue
        try:
            msgspec.convert(document[info.encode_name], type=info.type, strict=True)
        except msgspec.ValidationError as error:
            inner = msgspec_problem(str(error))
            place = path_text([info.encode_name])
            field = (
                place if inner.field == BODY else f"{place}{'' if inner.field.startswith('[') else '.'}{inner.field}"
            )
            problems.append(FieldProblem(field, inner.code, inner.params))
    return problems


def _validator(body_type: Any) -> jsonschema.protocols.Validator | None:
    if body_type not in _VALIDATORS:
        try:
            schema = msgspec.json.schema(body_type)
        except (TypeError, ValueError):
            # A type msgspec cannot describe: its first error is all we can name.
            _VALIDATORS[body_type] = None
        else:
            _VALIDATORS[body_type] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
    return _VALIDATORS[body_type]


def _problems(errors: Iterable[ValidationError]) -> Iterator[FieldProblem]:
    for count, error in enumerate(errors):
        if count >= MAX_ERRORS:
            return
        yield from _error_problems(error)


def _error_problems(error: ValidationError) -> Iterator[FieldProblem]:
    path = list(error.absolute_path)
    kind = str(error.validator)
    value: Any = error.validator_value
    instance = error.instance
    if kind == "required" and isinstance(instance, dict):
        for name in value:
            if name not in instance:
                yield FieldProblem(path_text([*path, name]), "required")
    elif kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        for name in instance:
            if name not in known:
                yield FieldProblem(path_text([*path, name]), "unknown_field", {"name": name})
    elif kind in ("anyOf", "oneOf"):
        yield from _union_problems(error, path, value)
    elif kind in _LIMITS:
        yield FieldProblem(path_text(path), _LIMITS[kind], {"limit": value})
    elif kind == "type":
        yield FieldProblem(path_text(path), "type", {"expected": value})
    elif kind in ("enum", "const"):
        yield FieldProblem(path_text(path), "enum")
    elif kind == "format":
        yield FieldProblem(path_text(path), "format", {"format": value})
    else:
        yield FieldProblem(path_text(path), _KINDS.get(kind, "invalid"))


_LIMITS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "minProperties": "min_items",
    "maxProperties": "max_items",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
}
_KINDS = {"pattern": "pattern", "uniqueItems": "unique_items"}


def _union_problems(error: ValidationError, path: list[str | int], branches: Sequence[Any]) -> Iterator[FieldProblem]:
    """A value matching no branch of a union: when its shape fits exactly one branch (an object
    where the union is an object or null), that branch's own errors say what is wrong inside it;
    otherwise the value has the wrong type."""
    by_branch: dict[int, list[ValidationError]] = {}
    for inner in error.context or ():
        by_branch.setdefault(int(inner.relative_schema_path[0]), []).append(inner)
    fitting: list[list[ValidationError]] = [
        errors
        for errors in by_branch.values()
        if not any(inner.validator in ("type", "enum", "const") and not inner.relative_path for inner in errors)
    ]
    if fitting:
        closest = min(fitting, key=len)
        yield from _problems(closest)
        return
    # Each branch refused the value's type: name the types the branches expect.
    expected: list[str] = []
    for errors in by_branch.values():
        for inner in errors:
            if inner.validator == "type" and not inner.relative_path:
                names = inner.validator_value if isinstance(inner.validator_value, list) else [inner.validator_value]
                expected += [str(name) for name in names if str(name) not in expected]
    if len(by_branch) == len(branches) and expected:
        yield FieldProblem(path_text(path), "type", {"expected": expected})
    else:
        yield FieldProblem(path_text(path), "invalid")


def _unique(problems: Iterable[FieldProblem]) -> list[FieldProblem]:
    """One error per field, the first found (an empty name is too short; that it also lacks a
    visible character adds nothing), as the business-rule checks do."""
    seen: set[str] = set()
    unique = []
    for problem in problems:
        if problem.field not in seen:
            seen.add(problem.field)
            unique.append(problem)
    return unique


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def path_text(path: Sequence[str | int]) -> str:
    """`attributes.road_kind`, `photo_upload_ids[2]`; a key that is not a plain name is quoted
    (`attributes["jenis jalan"]`); the whole document is `body`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{msgspec.json.encode(part).decode()}]"
    return text or BODY


def _same_field(msgspec_field: str, field_path: str) -> bool:
    """msgspec writes a dictionary's key as `[...]`, so that part matches any key."""
    pattern = re.escape(msgspec_field).replace(r"\[\.\.\.\]", r"(\.[^.\[]+|\[[^\]]+\])")
    return re.fullmatch(pattern, field_path) is not None


# msgspec's messages, read into a kind and its details. The path follows " - at `$...`".
_AT_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_MSGSPEC_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`"), "unknown_field"),
    (re.compile(r"^Object missing required field `(?P<name>[^`]+)`"), "required"),
    (re.compile(r"^Missing required"), "required"),
    (re.compile(r"^Expected `str` matching regex"), "pattern"),
    (re.compile(r"^Expected `str` of length >= (?P<limit>\d+)"), "min_length"),
    (re.compile(r"^Expected `str` of length <= (?P<limit>\d+)"), "max_length"),
    (re.compile(r"^Expected `(array|object)` of length >= (?P<limit>\d+)"), "min_items"),
    (re.compile(r"^Expected `(array|object)` of length <= (?P<limit>\d+)"), "max_items"),
    (re.compile(r"^Expected `(int|float|number)` >= (?P<limit>\S+)$"), "minimum"),
    (re.compile(r"^Expected `(int|float|number)` <= (?P<limit>\S+)$"), "maximum"),
    (re.compile(r"^Expected `(int|float|number)` > (?P<limit>\S+)$"), "exclusive_minimum"),
    (re.compile(r"^Expected `(int|float|number)` < (?P<limit>\S+)$"), "exclusive_maximum"),
    (re.compile(r"^Invalid enum value"), "enum"),
    (re.compile(r"^Invalid RFC3339 encoded (?P<format>datetime|date|time)"), "format"),
    (re.compile(r"^Invalid UUID"), "format"),
    (re.compile(r"^Expected `(?P<expected>[a-z]+)`, got"), "type"),
)
_MSGSPEC_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
_FORMATS = {"datetime": "date-time"}


def msgspec_problem(message: str, field: str = BODY) -> FieldProblem:
    """A msgspec (or Litestar) message about `field`; a body's message names its own path, and a
    missing or unknown key is named inside the object that lacks or has it."""
    if match := _AT_PATH.search(message):
        message = message[: match.start()]
        field = match.group("path") or BODY
    for pattern, code in _MSGSPEC_KINDS:
        if match := pattern.match(message):
            params: dict[str, object] = dict(match.groupdict())
            if code in ("unknown_field", "required") and "name" in params:
                name = str(params["name"])
                field = name if field == BODY else f"{field}.{name}"
            if "expected" in params:
                params["expected"] = _MSGSPEC_TYPES.get(str(params["expected"]), params["expected"])
            if code == "format":
                params["format"] = _FORMATS.get(str(params.get("format")), params.get("format") or "uuid")
            return FieldProblem(field, code, params)
    return FieldProblem(field, "invalid")
