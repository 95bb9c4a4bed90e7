"""GET /metrics in the Prometheus text format.

Litestar's PrometheusController serves the same bytes but documents them as JSON in the OpenAPI
document, which generated clients would then try to parse; this handler documents text/plain.
"""

from __future__ import annotations

import os

from litestar import get
from litestar.response import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess


@get(
    "/metrics",
    tags=["ops"],
    summary="Prometheus metrics",
    media_type="text/plain",
    opt={"public": True},
    sync_to_thread=False,
)
def metrics() -> Response[str]:
    registry = REGISTRY
    # With several worker processes each writes its samples to this folder (see `serang-app serve`).
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry).decode(), media_type=CONTENT_TYPE_LATEST)
