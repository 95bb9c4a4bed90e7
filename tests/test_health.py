"""Liveness, readiness through a database outage, and metrics."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import app_for
from tests.support.proxy import CuttableProxy


async def test_liveness(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_follows_the_database_down_and_back_up(database_url: str) -> None:
    proxy = CuttableProxy(database_url)
    proxy.start()
    async with AsyncTestClient(app_for(proxy.dsn, SERANG_DB_CONNECT_TIMEOUT_SECONDS="2")) as client:
        assert (await client.get("/readyz")).status_code == 200

        proxy.cut()
        down = await client.get("/readyz", headers={"Accept-Language": "en"})
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/problem+json"
        assert down.headers["retry-after"] == "5"
        assert down.json()["code"] == "unavailable"
        assert (await client.get("/healthz")).status_code == 200  # alive, only not ready

        proxy.start()  # the database is back, on the same address; no restart of the app
        assert (await client.get("/readyz")).status_code == 200
        regions = await client.get("/v1/regions", params={"parent": "36.04"})
        assert len(regions.json()["items"]) == 29
    proxy.close()


async def test_a_request_needing_the_database_during_an_outage_answers_503(database_url: str) -> None:
    proxy = CuttableProxy(database_url)
    proxy.start()
    async with AsyncTestClient(app_for(proxy.dsn, SERANG_DB_CONNECT_TIMEOUT_SECONDS="2")) as client:
        proxy.cut()
        response = await client.get("/v1/regions", params={"parent": "36.04"})
        assert response.status_code == 503
        assert response.json()["code"] == "unavailable"
        proxy.start()
    proxy.close()


@pytest.mark.parametrize("path", ["/v1/services", "/v1/regions"])
async def test_metrics_count_requests_by_route(client: AsyncTestClient[Litestar], path: str) -> None:
    await client.get(path)
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    series = [
        line for line in metrics.text.splitlines() if line.startswith("serang_http_request_duration_seconds_count")
    ]
    assert any(f'path="{path}"' in line and 'method="GET"' in line and 'status="200"' in line for line in series)
    assert not any('path="/healthz"' in line for line in series)  # polled constantly: not counted
