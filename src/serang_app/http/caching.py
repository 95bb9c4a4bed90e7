"""Conditional GET for lists the app caches: ETag, Cache-Control, and 304 when nothing changed."""

from __future__ import annotations

from typing import Annotated

from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter
from litestar.response.base import ASGIResponse

IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match",
        required=False,
        max_length=1024,
        description="The ETag of the copy the app holds; an unchanged resource then answers 304.",
    ),
]

# Routes answered with cached_json_response say so in their opt; the OpenAPI document then lists
# the ETag and Cache-Control headers of their 200 answers (http/openapi.py).
CACHED_OPT = "cached"
NOT_MODIFIED = {304: ResponseSpec(None, description="Not modified since the ETag given in If-None-Match")}


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
