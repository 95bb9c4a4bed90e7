"""Conditional GET for lists the app caches: ETag, Cache-Control, and 304 when nothing changed."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Response


def cached_json_response(request: Request[Any, Any, Any], body: bytes, etag: str, *, max_age: int) -> Response[Any]:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
