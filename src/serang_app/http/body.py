"""Request bodies are JSON unless a route says otherwise; anything else answers 415."""

from __future__ import annotations

from typing import Any

from litestar import Request

from serang_app.http.problems import ApiError

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A route that takes another kind of body lists the media types in opt["body_media_types"].
BODY_MEDIA_TYPES_OPT = "body_media_types"


async def require_json_body(request: Request[Any, Any, Any]) -> None:
    if request.method not in _BODY_METHODS or not _has_body(request):
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted = request.route_handler.opt.get(BODY_MEDIA_TYPES_OPT)
    if accepted is not None:
        if media_type not in accepted:
            raise ApiError(415)
    elif media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415)


def _has_body(request: Request[Any, Any, Any]) -> bool:
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers
