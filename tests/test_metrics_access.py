"""Who may read GET /metrics: the operators' scraper with SERANG_METRICS_TOKEN, in production nobody else."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from serang_app.auth.keys import new_secrets
from serang_app.health.worker_endpoint import WorkerMetricsServer
from serang_app.settings import SettingsError, load_settings
from tests.conftest import app_for
from tests.support.app_server import running_app
from tests.support.processes import run_cli

METRIC = "serang_http_request_duration_seconds"


@pytest.mark.e2e
def test_the_production_server_serves_metrics_only_with_the_token(database_url: str, tmp_path: Path) -> None:
    token = secrets.token_urlsafe(32)
    # Two HTTP processes: the scrape adds up both through PROMETHEUS_MULTIPROC_DIR.
    with running_app(database_url, tmp_path / "server.log", SERANG_METRICS_TOKEN=token, SERANG_WORKERS="2") as base:
        httpx.get(f"{base}/v1/regions", timeout=10)
        anonymous = httpx.get(f"{base}/metrics", timeout=10)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert METRIC not in anonymous.text

        scraped = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert scraped.status_code == 200
        assert f'{METRIC}_count{{method="GET",path="/v1/regions",status="200"}}' in scraped.text
        # The series read from the database at scrape time sit beside the processes' own.
        assert "serang_metrics_database_up 1.0" in scraped.text
        assert "serang_push_queue_jobs 0.0" in scraped.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-the-token", "Basic {token}", "Bearer {token}x", "{token}", "Bearer"],
)
async def test_production_refuses_anything_but_the_token(database_url: str, authorization: str | None) -> None:
    token = secrets.token_urlsafe(32)
    headers = {} if authorization is None else {"Authorization": authorization.format(token=token)}
    app = app_for(
        database_url,
        None,
        SERANG_ENV="production",
        SERANG_PUBLIC_URL="https://testserver.local",
        **{**new_secrets(), "SERANG_METRICS_TOKEN": token},
    )
    async with AsyncTestClient(app) as client:
        refused = await client.get("/metrics", headers={**headers, "Accept-Language": "en"})
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized"
        assert (await client.get("/metrics", headers={"Authorization": f"bearer {token}"})).status_code == 200


async def test_production_without_a_token_has_no_metrics_route(database_url: str) -> None:
    secrets_without_token = {name: value for name, value in new_secrets().items() if name != "SERANG_METRICS_TOKEN"}
    async with AsyncTestClient(
        app_for(
            database_url,
            None,
            SERANG_ENV="production",
            SERANG_PUBLIC_URL="https://testserver.local",
            **secrets_without_token,
        )
    ) as client:
        hidden = await client.get("/metrics")
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"
        assert hidden.json()["code"] == "not_found"
        assert (await client.get("/healthz")).status_code == 200


async def test_development_asks_for_the_token_once_one_is_set(database_url: str) -> None:
    token = secrets.token_urlsafe(32)
    async with AsyncTestClient(app_for(database_url, SERANG_METRICS_TOKEN=token)) as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})).status_code == 200


@pytest.mark.parametrize("token", ["short", "x" * 31, "a token with spaces in it, long enough"])
def test_a_weak_metrics_token_is_refused_without_quoting_it(token: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"SERANG_METRICS_TOKEN": token})
    assert str(raised.value).startswith("SERANG_METRICS_TOKEN: expected 32 or more visible ASCII characters")
    assert token not in str(raised.value)


@pytest.mark.parametrize(
    ("environ", "authorization", "path", "status"),
    [
        ({"SERANG_ENV": "development"}, None, "/metrics", 200),
        ({"SERANG_ENV": "development", "SERANG_METRICS_TOKEN": "{token}"}, None, "/metrics", 401),
        ({"SERANG_ENV": "production"}, "Bearer {token}", "/metrics", 404),  # no token configured
        ({"SERANG_ENV": "production", "SERANG_METRICS_TOKEN": "{token}"}, "Bearer {token}x", "/metrics", 401),
        ({"SERANG_ENV": "production", "SERANG_METRICS_TOKEN": "{token}"}, "Bearer {token}", "/metrics", 200),
        ({"SERANG_ENV": "production", "SERANG_METRICS_TOKEN": "{token}"}, "Bearer {token}", "/other", 404),
    ],
)
def test_the_workers_metrics_port_follows_the_same_rule(
    environ: dict[str, str], authorization: str | None, path: str, status: int
) -> None:
    token = secrets.token_urlsafe(32)
    production = {"DATABASE_URL": "postgresql://unused", "SERANG_PUBLIC_URL": "https://layanan.serangkab.go.id"}
    settings = load_settings(
        {
            **(production if environ["SERANG_ENV"] == "production" else {}),
            **{name: value for name, value in new_secrets().items() if name != "SERANG_METRICS_TOKEN"},
            **{name: value.format(token=token) for name, value in environ.items()},
        }
    )
    server = WorkerMetricsServer(settings, 0)
    server.start()
    try:
        headers = {} if authorization is None else {"Authorization": authorization.format(token=token)}
        answer = httpx.get(f"http://127.0.0.1:{server.port}{path}", headers=headers, timeout=10)
    finally:
        server.close()
    assert answer.status_code == status
    assert ("serang_push_messages_total" in answer.text) == (status == 200)
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.e2e
def test_a_worker_metrics_port_in_use_stops_the_worker_with_one_line(database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = run_cli(
            "worker",
            env={"DATABASE_URL": database_url, "SERANG_HOST": "127.0.0.1", "SERANG_WORKER_METRICS_PORT": str(port)},
            timeout=60,
        )
    assert ran.returncode != 0
    assert f"SERANG_WORKER_METRICS_PORT: cannot listen on 127.0.0.1:{port}" in ran.stderr
    assert "Traceback" not in ran.stderr
