"""JSON bodies checked strictly against the route's body type before Litestar converts them.

Litestar converts every handler argument with msgspec's lax mode (`strict=False`), which query
strings need (every value there arrives as text) but which also lets a JSON body say `0` for
`false` or `"5"` for `5`. The contract says a boolean is `true` or `false` and a number is a
number, so bodies are decoded strictly first: a mistyped field answers 422 naming it. Litestar
offers no per-parameter strictness, hence this hook. Routes without a JSON body return at once.

A body of `null` is refused: an optional body may be left out, but `null` is not an object of its
type.

One lax case stays, because JSON Schema allows it: a number with no fractional part (`3.0`) is an
integer, so such numbers are made integers before the strict check.

Every string of the body is normalized to NFC here (http/text.py says why), in the document
Litestar keeps for its conversion, before the check: so each text is normalized once, and the
patterns and the handler see the same text.

This is also the one place a JSON body is decoded: the value is handed to Litestar
(`ScopeState.json`), which would otherwise decode the bytes a second time. Bytes that are not
JSON, not UTF-8, or nested deeper than `MAX_JSON_DEPTH` answer 400: msgspec reports the last two
with `UnicodeDecodeError` and `RecursionError`, which would otherwise surface as a 500, and no
request of this API nests more than a few levels.

A body that fails the check answers 422 listing every field error at once, each with its path and
kind, in the caller's language (http/field_errors.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.handlers import HTTPRouteHandler
from litestar.utils.scope.state import ScopeState

from serang_app.http.body import BODY_METHODS
from serang_app.http.field_errors import body_problems
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.http.text import normalized_in_place

MAX_JSON_DEPTH = 32
_NO_BODY = object()
_BODY_TYPES: dict[HTTPRouteHandler, Any] = {}
T = TypeVar("T")


async def check_json_body_strictly(request: Request[Any, Any, Any]) -> None:
    if request.method not in BODY_METHODS:
        return
    body_type = _body_type(request.route_handler)
    if body_type is _NO_BODY:
        return
    body = await request.body()  # Litestar keeps it for the conversion that follows
    if not body:
        return
    try:
        decoded = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise ApiError(400) from None
    if decoded is None:
        # An optional body may be left out; `null` is not an object of its type.
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "body", "Kirim objek JSON atau kosongkan", "Send a JSON object or nothing", code="type"
                )
            ],
        )
    prepared = _prepared(decoded, MAX_JSON_DEPTH)
    _strictly(prepared, body_type)
    # Litestar converts this document for the handler: the one the check saw, normalized once.
    ScopeState.from_scope(request.scope).json = prepared


def converted_strictly(document: Any, kind: type[T]) -> T:
    """A decoded JSON document that arrived another way than a request body (a file a command
    reads, a module's seed) read exactly as a body would be: its strings in NFC, its depth bounded
    (400 beyond), its types strict, and 422 naming every problem at once (core API 1.5)."""
    converted: T = _strictly(_prepared(document, MAX_JSON_DEPTH), kind)
    return converted


def _strictly(prepared: Any, body_type: Any) -> Any:
    try:
        return msgspec.convert(prepared, type=body_type, strict=True)
    except msgspec.ValidationError as error:
        # msgspec names the first error only; the body's other errors are found in its schema.
        raise ApiError(422, errors=body_problems(body_type, prepared, str(error))) from None


def _prepared(value: Any, depth_left: int) -> Any:
    """The document with its depth bounded, whole numbers as integers and every string in NFC,
    in one walk."""
    if isinstance(value, str):
        return normalized_in_place(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | dict) and depth_left == 0:
        raise ApiError(400)  # nested deeper than any request of ours: refused before it costs more
    if isinstance(value, list):
        return [_prepared(item, depth_left - 1) for item in value]
    if isinstance(value, dict):
        return {key: _prepared(item, depth_left - 1) for key, item in value.items()}
    return value


def _body_type(handler: HTTPRouteHandler) -> Any:
    known = _BODY_TYPES.get(handler)
    if known is None:
        data = handler.parsed_fn_signature.parameters.get("data")
        is_json = data is not None and not handler.opt.get("body_media_types")
        known = _BODY_TYPES[handler] = data.annotation if data is not None and is_json else _NO_BODY
    return known
