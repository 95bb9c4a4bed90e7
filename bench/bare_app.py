"""The ceiling: Litestar with nothing but one route that returns a cached endpoint's exact bytes.

No middleware, no database, no dependencies, no OpenAPI: what the service would cost if all it
did were hand granian a prepared body. The benchmark writes the body that `GET /v1/services`
(or another cached endpoint) returned to a file and names it in BENCH_BODY_FILE, and the path
in BENCH_BODY_PATH (/v1/services when unset); the factory reads them once at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar, MediaType, get
from litestar.response import Response

BODY_FILE_VARIABLE = "BENCH_BODY_FILE"
BODY_PATH_VARIABLE = "BENCH_BODY_PATH"


def create() -> Litestar:
    body = Path(os.environ[BODY_FILE_VARIABLE]).read_bytes()

    # async like the service's handler, so both run on the event loop rather than in a thread.
    @get(os.environ.get(BODY_PATH_VARIABLE, "/v1/services"))
    async def services() -> Response[bytes]:
        return Response(content=body, media_type=MediaType.JSON)

    return Litestar(route_handlers=[services], openapi_config=None)
