"""Conditional GET for lists the app caches: ETag, Cache-Control, and 304 when nothing changed."""

from __future__ import annotations

import hashlib

from litestar.openapi.datastructures import ResponseSpec
from litestar.response.base import ASGIResponse
from litestar.types import Scope

# Routes answered with CachedJson say so in their opt; the OpenAPI document then lists
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


class CachedJson:
    """An encoded JSON body, its ETag, and the two prepared answers to a GET of it.

    The answers are built once and shared by every request: Litestar's responses only read
    themselves when sent, and building one (headers normalised one by one) cost the hottest
    routes more than everything else they do (`make bench`, docs/performance.md).
    """

    __slots__ = ("_not_modified", "_ok", "body", "etag")

    def __init__(self, body: bytes, *, max_age: int) -> None:
        self.body = body
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": self.etag, "Cache-Control": f"public, max-age={max_age}"}
        self._ok = ASGIResponse(body=body, media_type="application/json", headers=headers)
        self._not_modified = ASGIResponse(body=b"", status_code=304, headers=headers)

    def answer(self, scope: Scope) -> ASGIResponse:
        """The body, or 304 when the request's If-None-Match names this ETag."""
        return self._not_modified if _matches(if_none_match_of(scope), self.etag) else self._ok


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
