"""An answer of JSON encoded beforehand: 200, its type and length, the bytes.

For the app's most frequent request (`GET /v1/me/cases`, cases/summary_bytes.py), which encodes its
page itself. Litestar's ASGIResponse would do the same in more steps: it builds a header
collection and searches it twice to fill in the type and length, then sends through three more
calls; measured in-process that was 4 % of the request (docs/performance.md, "The hottest read,
fifth round"). A route returning this says so in its OpenAPI `responses`, as Litestar cannot read
the schema from the return type.
"""

from __future__ import annotations

from litestar.types import Receive, Scope, Send

_JSON = (b"content-type", b"application/json")


class JsonBytes:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._body
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [_JSON, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
