"""GET /metrics in the Prometheus text format, for the operators' scraper only (metrics_access.py).

Litestar's PrometheusController serves the same bytes but documents them as JSON in the OpenAPI
document, which generated clients would then try to parse; this handler documents text/plain.

What it serves: the in-memory series of every process of this server (request histogram,
series.py) and, read at scrape time, the database-derived ones (database_series.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from litestar import Request, get
from litestar.response import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from serang_app.health.database_series import SnapshotCollector, read_snapshot
from serang_app.health.metrics_access import metrics_refusal
from serang_app.http.openapi import METRICS_SCHEME, PROBLEMS_OPT
from serang_app.http.problems import ApiError


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
)
async def metrics(request: Request[Any, Any, Any]) -> Response[str]:
    refusal = metrics_refusal(request.app.state.settings, request.headers.get("authorization", ""))
    if refusal is not None:
        raise ApiError(refusal)
    snapshot = await read_snapshot(request.app.state.database)
    body = generate_latest(_Together([_process_series(), SnapshotCollector(snapshot)]))
    return Response(body.decode(), media_type=CONTENT_TYPE_LATEST)


def _process_series() -> Collector:
    # With several worker processes each writes its samples to this folder (see `serang-app serve`).
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


class _Together(Collector):
    def __init__(self, collectors: Iterable[Collector]) -> None:
        self._collectors = list(collectors)

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from collector.collect()
