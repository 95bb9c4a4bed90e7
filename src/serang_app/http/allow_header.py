"""A correct Allow header on OPTIONS answers.

Litestar 2.25 builds the automatic OPTIONS handler when a path's first handler is registered and
does not update it when GET, PATCH and DELETE handlers of the same path join later, so its Allow
header lists one method. This hook rewrites the header from the app's finished route table.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


def allowed_methods_by_path(app: Litestar) -> dict[str, bytes]:
    return {
        route.path: ", ".join(sorted(route.methods)).encode() for route in app.routes if isinstance(route, HTTPRoute)
    }


async def correct_allow_header(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    extensible = cast(dict[str, Any], scope)
    allowed = extensible["app"].state.get("allowed_methods", {}).get(extensible.get("path_template"))
    if allowed is not None:
        headers = [(name, value) for name, value in message.get("headers", ()) if name.lower() != b"allow"]
        message["headers"] = [*headers, (b"allow", allowed)]
