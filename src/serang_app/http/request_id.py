"""Every request's id: the client's own X-Request-ID when it is plain, else a new one."""

from __future__ import annotations

import random
import re
from typing import Any, cast

from litestar.types import Scope

REQUEST_ID_HEADER = b"x-request-id"
_SCOPE_KEY = "serang_request_id"
# A client-supplied id is kept only when it is short and plain, so it cannot forge log content.
_ACCEPTABLE_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(scope: Scope) -> str:
    """The request's id: the client's X-Request-ID when acceptable, else a new one; kept in the scope.

    Requests that match no route never pass through route middleware, so the id is made lazily by
    whichever needs it first (the middleware, an error response, or the response-start hook).
    """
    extensible = cast(dict[str, Any], scope)  # the ASGI scope is a plain dict at run time
    value = extensible.get(_SCOPE_KEY)
    if isinstance(value, str):
        return value
    request_id = _incoming_id(scope) or _new_id()
    extensible[_SCOPE_KEY] = request_id
    return request_id


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            return value.decode() if _ACCEPTABLE_ID.match(value) else None
    return None


def _new_id() -> str:
    # An id only has to be unique, not secret: nobody gains by guessing one, and the
    # secrets module costs a getrandom system call per request (measured in `make bench`).
    # `random` is reseeded in every forked worker, so workers never share a sequence.
    return f"{random.getrandbits(128):032x}"
