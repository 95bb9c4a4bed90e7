"""Request bodies are JSON unless a route says otherwise; anything else answers 415."""

from __future__ import annotations

from typing import Any

from serang_app.http.problems import ApiError

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A route that takes another kind of body lists the media types in opt["body_media_types"].
BODY_MEDIA_TYPES_OPT = "body_media_types"


def require_json_body(scope: dict[str, Any]) -> None:
    """Raise 415 when a POST, PUT or PATCH carries a body of a media type the route does not take."""
    headers = dict(scope["headers"])
    length = headers.get(b"content-length")
    has_body = length.strip() not in (b"", b"0") if length is not None else b"transfer-encoding" in headers
    if not has_body:
        return
    media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
    accepted = scope["route_handler"].opt.get(BODY_MEDIA_TYPES_OPT)
    if accepted is not None:
        if media_type not in accepted:
            raise ApiError(415)
    elif media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415)
