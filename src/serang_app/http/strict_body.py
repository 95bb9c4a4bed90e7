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
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.handlers import HTTPRouteHandler

from serang_app.http.body import BODY_METHODS
from serang_app.http.problems import ApiError, LocalizedFieldError, field_error_of
from serang_app.http.text import normalized_in_place

_NO_BODY = object()
_BODY_TYPES: dict[HTTPRouteHandler, Any] = {}


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
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar answers 400 as for any unreadable body
    if decoded is None:
        # An optional body may be left out; `null` is not an object of its type.
        raise ApiError(
            422,
            errors=[LocalizedFieldError("body", "Kirim objek JSON atau kosongkan", "Send a JSON object or nothing")],
        )
    # Litestar converts the document it keeps for the request: normalized there, once.
    decoded = normalized_in_place(await request.json())
    try:
        msgspec.convert(_whole_numbers_as_int(decoded), type=body_type, strict=True)
    except msgspec.ValidationError as error:
        raise ApiError(422, errors=[field_error_of(str(error))]) from None


def _whole_numbers_as_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers_as_int(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers_as_int(item) for key, item in value.items()}
    return value


def _body_type(handler: HTTPRouteHandler) -> Any:
    known = _BODY_TYPES.get(handler)
    if known is None:
        data = handler.parsed_fn_signature.parameters.get("data")
        is_json = data is not None and not handler.opt.get("body_media_types")
        known = _BODY_TYPES[handler] = data.annotation if data is not None and is_json else _NO_BODY
    return known
