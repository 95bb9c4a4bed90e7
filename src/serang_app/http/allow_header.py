"""A correct Allow header on OPTIONS answers.

Litestar 2.25 builds the automatic OPTIONS handler when a path's first handler is registered and
does not update it when GET, PATCH and DELETE handlers of the same path join later, so its Allow
header lists one method. The request middleware rewrites the header from the finished route table.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute


def allowed_methods_by_path(app: Litestar) -> dict[str, bytes]:
    # Keyed by the template the router puts in the scope (`/v1/cases/{case_id}`, without the
    # parameter types that route.path carries).
    return {
        route.path_format: ", ".join(sorted(route.methods)).encode()
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


def with_correct_allow(headers: list[tuple[bytes, bytes]], scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    allowed = scope["app"].state.get("allowed_methods", {}).get(scope.get("path_template"))
    if allowed is None:
        return headers
    return [*(header for header in headers if header[0].lower() != b"allow"), (b"allow", allowed)]
