"""Conditional GET for lists the app caches: ETag, Cache-Control, and 304 when nothing changed."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter
from litestar.response import Response

IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match",
        required=False,
        max_length=1024,
        description="The ETag of the copy the app holds; an unchanged resource then answers 304.",
    ),
]

# Documentation only (the handler sets the values); Litestar derives each header's schema from
# the type of `value`, so a sample value is given.
CACHE_HEADERS = [
    ResponseHeader(
        name="ETag", value='"5d41402abc4b2a76"', documentation_only=True, description="The version of this response."
    ),
    ResponseHeader(
        name="Cache-Control",
        value="public, max-age=60",
        documentation_only=True,
        description="How long a copy may be reused.",
    ),
]
NOT_MODIFIED = {304: ResponseSpec(None, description="Not modified since the ETag given in If-None-Match")}


def cached_json_response(body: bytes, etag: str, if_none_match: str | None, *, max_age: int) -> Response[Any]:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(if_none_match, etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
