"""Conditional GET for lists the app caches: ETag, Cache-Control, and 304 when nothing changed."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec
from litestar.response.base import ASGIResponse
from litestar.types import Scope

# Routes answered with cached_json_response say so in their opt; the OpenAPI document then lists
# their optional If-None-Match request header and the ETag and Cache-Control headers of their
# answers (http/openapi.py). The handlers read If-None-Match from the scope themselves
# (if_none_match_of): a declared header parameter is validated on every request, which costs the
# hottest routes more than the rest of their work.
CACHED_OPT = "cached"
NOT_MODIFIED = {304: ResponseSpec(None, description="Not modified since the ETag given in If-None-Match")}


def if_none_match_of(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return value.decode("latin-1")
    return None


def cached_json_response(body: bytes, etag: str, if_none_match: str | None, *, max_age: int) -> ASGIResponse:
    """The low-level response: the body is already encoded, so Litestar's Response (which copies
    itself and renders content on every call) has nothing to add but cost on the hottest routes."""
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(if_none_match, etag):
        return ASGIResponse(body=b"", status_code=304, headers=headers)
    return ASGIResponse(body=body, media_type="application/json", headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
