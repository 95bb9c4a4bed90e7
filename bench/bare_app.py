"""The ceiling: Litestar with nothing but one route that returns the catalogue's exact bytes.

No middleware, no database, no dependencies, no OpenAPI: what the service would cost if all it
did were hand granian a prepared body. The benchmark writes the body that `GET /v1/services`
returned to a file and names it in BENCH_BODY_FILE; the factory reads it once at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar, MediaType, get
from litestar.response import Response

BODY_FILE_VARIABLE = "BENCH_BODY_FILE"


def create() -> Litestar:
    body = Path(os.environ[BODY_FILE_VARIABLE]).read_bytes()

    # async like the service's handler, so both run on the event loop rather than in a thread.
    @get("/v1/services")
    async def services() -> Response[bytes]:
        return Response(content=body, media_type=MediaType.JSON)

    return Litestar(route_handlers=[services], openapi_config=None)
