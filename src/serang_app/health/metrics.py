"""GET /metrics in the Prometheus text format, for the operators' scraper only.

Litestar's PrometheusController serves the same bytes but documents them as JSON in the OpenAPI
document, which generated clients would then try to parse; this handler documents text/plain.

Who may read it: the numbers describe the service's traffic and internals, so production serves
them only to a caller presenting SERANG_METRICS_TOKEN as a bearer token (Prometheus'
`authorization` setting), and not at all (404) when no token is configured. Development serves
them to anyone unless a token is set.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from litestar import Request, get
from litestar.response import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from serang_app.http.openapi import METRICS_SCHEME, PROBLEMS_OPT
from serang_app.http.problems import ApiError
from serang_app.settings import Settings


@get(
    "/metrics",
    operation_id="getMetrics",
    tags=["ops"],
    summary="Prometheus metrics",
    description="For the operators' Prometheus. In production it needs the bearer token configured in "
    "SERANG_METRICS_TOKEN (401 without it), and answers 404 when none is configured.",
    media_type="text/plain",
    security=[{METRICS_SCHEME: []}],
    opt={"public": True, PROBLEMS_OPT: (401, 404)},
    sync_to_thread=False,
)
def metrics(request: Request[Any, Any, Any]) -> Response[str]:
    _require_metrics_token(request)
    registry = REGISTRY
    # With several worker processes each writes its samples to this folder (see `serang-app serve`).
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry).decode(), media_type=CONTENT_TYPE_LATEST)


def _require_metrics_token(request: Request[Any, Any, Any]) -> None:
    settings: Settings = request.app.state.settings
    token = settings.metrics_token
    if token is None:
        if settings.is_production:
            raise ApiError(404)
        return
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    # compare_digest takes as long for a near miss as for a far one, so timing does not reveal
    # how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
        raise ApiError(401)
