"""The series operators watch, read from /metrics after real traffic: a complaint filed with a
photo through the API, an upload refused, a case overdue by the case engine's clock, and a push
delivered by the real `serang-app worker` to the local FCM stand-in, read from the worker's own
metrics port."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.health.series import PUSH_RESULTS
from serang_app.notifications.push import PushResult
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.complaints_app import complaints_app, pothole_report
from tests.support.fake_google import FakeGoogle
from tests.support.scraping import Samples, samples, value
from tests.support.uploading import JPEG, photo_with_gps, upload
from tests.support.worker_process import running_worker

TOKEN = "fcm-token-observed-phone-aaaaaaaa"
DELIVERY_TIMEOUT_SECONDS = 30.0


class Clock:
    """The case engine's clock: a chosen instant, or the real time when none is set."""

    __test__ = False

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)


@dataclasses.dataclass
class Traffic:
    client: AsyncTestClient[Litestar]
    clock: Clock


@pytest.fixture
async def traffic(database_url: str, tmp_path: Path) -> AsyncIterator[Traffic]:
    app = complaints_app(database_url, tmp_path)
    clock = Clock()
    app.state.case_engine = dataclasses.replace(app.state.case_engine, now=clock)
    async with AsyncTestClient(app) as client:
        yield Traffic(client, clock)


async def scrape(client: AsyncTestClient[Litestar]) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return samples(response.text)


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def file_an_overdue_complaint_with_a_photo(traffic: Traffic) -> tuple[dict[str, str], str]:
    client = traffic.client
    citizen = bearer(await resident_tokens(client, "+6281211112222"))
    registration = {"fcm_token": TOKEN, "platform": "android", "app_version": "1.0.0", "locale": "id"}
    assert (await client.put("/v1/me/devices/install-0001", json=registration, headers=citizen)).status_code == 200
    photo_id, completed = await upload(client, citizen, photo_with_gps())
    assert completed.status_code == 200
    # Filed forty days ago by the engine's clock: ten working days later it was due.
    traffic.clock.moment = datetime.now(UTC) - timedelta(days=40)
    filed = await client.post(
        "/v1/complaints",
        json=pothole_report(photo_id),
        headers=citizen,
    )
    traffic.clock.moment = None
    assert filed.status_code == 201, filed.text
    assert filed.json()["opd_code"] == "DPUPR"
    return citizen, filed.json()["case_id"]


@pytest.mark.e2e
async def test_every_series_after_real_traffic(
    traffic: Traffic, database_url: str, google: FakeGoogle, tmp_path: Path
) -> None:
    client = traffic.client
    before = await scrape(client)
    citizen, case_id = await file_an_overdue_complaint_with_a_photo(traffic)
    _, refused = await upload(client, citizen, b"not a photo, only text", JPEG)
    assert refused.status_code == 422
    assert refused.json()["code"] == "upload_not_an_image"
    officer = await signed_in_staff(client, database_url, "officer", "DPUPR")
    verified = await client.post(f"/v1/cases/{case_id}/actions/verify", headers={**officer, "If-Match": "*"})
    assert verified.status_code == 200  # the resident is told: one push job, for one phone
    after = await scrape(client)

    assert delta(before, after, "serang_uploads_completed_total", purpose="complaint_photo") == 1
    assert (
        delta(before, after, "serang_uploads_refused_total", purpose="complaint_photo", reason="upload_not_an_image")
        == 1
    )
    assert (
        delta(
            before,
            after,
            "serang_http_request_duration_seconds_count",
            method="POST",
            path="/v1/complaints",
            status="201",
        )
        == 1
    )
    assert delta(before, after, "serang_db_pool_acquire_seconds_count") > 0
    # Read from the database: fresh for this test, so the values are absolute.
    assert value(after, "serang_metrics_database_up") == 1
    assert value(after, "serang_cases_overdue", agency="DPUPR") == 1
    assert value(after, "serang_cases_overdue", agency="DLH") == 0
    assert value(after, "serang_push_queue_jobs") == 1
    assert value(after, "serang_push_queue_oldest_age_seconds") >= 0
    assert value(after, "serang_db_connections", state="active") >= 1  # the scrape's own query

    token = "observed-metrics-token-0123456789abcdef"
    with running_worker(
        database_url,
        tmp_path / "worker.log",
        SERANG_METRICS_TOKEN=token,
        SERANG_MODULES="complaints",
        SERANG_DATA_DIR=str(tmp_path / "worker-data"),
        FCM_CREDENTIALS_FILE=str(google.credentials_file),
        FCM_API_URL=google.fcm_url,
    ) as worker:
        _wait_for_pushes(google, 1)
        assert httpx.get(f"{worker}/metrics", timeout=5).status_code == 401
        worker_series = _scrape_worker(worker, token)
    assert [message["token"] for message in google.fcm_sent] == [TOKEN]

    # A new process: its counters start at 0, so these are exactly what it did.
    assert value(worker_series, "serang_push_messages_total", kind="notification", outcome="sent") == 1
    assert value(worker_series, "serang_push_messages_total", kind="notification", outcome="retry") == 0
    assert value(worker_series, "serang_push_jobs_settled_total", result="done") == 1
    assert value(worker_series, "serang_push_jobs_settled_total", result="dead") == 0
    assert value(worker_series, "serang_worker_task_runs_total", task="deliver_pushes", result="ok") >= 1
    assert value(worker_series, "serang_worker_task_runs_total", task="deliver_pushes", result="failed") == 0
    assert value(worker_series, "serang_worker_task_last_success_timestamp_seconds", task="deliver_pushes") > 0
    assert value(worker_series, "serang_db_pool_acquire_seconds_count") > 0

    delivered = await scrape(client)
    assert value(delivered, "serang_push_queue_jobs") == 0
    assert value(delivered, "serang_push_queue_oldest_age_seconds") == 0
    assert value(delivered, "serang_cases_overdue", agency="DPUPR") == 1  # told, still open


async def test_the_queue_age_counts_from_the_oldest_waiting_job(
    traffic: Traffic, database_url: str, db: asyncpg.Connection
) -> None:
    client = traffic.client
    _, case_id = await file_an_overdue_complaint_with_a_photo(traffic)
    officer = await signed_in_staff(client, database_url, "officer", "DPUPR")
    await client.post(f"/v1/cases/{case_id}/actions/verify", headers={**officer, "If-Match": "*"})
    await client.post(f"/v1/cases/{case_id}/actions/start_work", headers={**officer, "If-Match": "*"})
    first, second = [row["notification_id"] for row in await db.fetch("SELECT notification_id FROM push_jobs")]
    # One job waits since ten minutes ago, its retry not yet due; the other is due since two minutes.
    await db.execute(
        "UPDATE push_jobs SET created_at = now() - interval '600 s', not_before = now() + interval '1 hour' "
        "WHERE notification_id = $1",
        first,
    )
    await db.execute(
        "UPDATE push_jobs SET created_at = now() - interval '120 s', not_before = now() - interval '120 s' "
        "WHERE notification_id = $1",
        second,
    )
    scraped = await scrape(client)
    assert value(scraped, "serang_push_queue_jobs") == 2
    assert value(scraped, "serang_push_queue_oldest_age_seconds") >= 600
    assert 120 <= value(scraped, "serang_push_queue_lag_seconds") < 600  # the due one's wait


def test_the_push_outcomes_counted_are_the_senders_results() -> None:
    assert set(PUSH_RESULTS) == set(get_args(PushResult))


def _wait_for_pushes(google: FakeGoogle, count: int) -> None:
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while len(google.fcm_sent) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(google.fcm_sent) == count


def _scrape_worker(base_url: str, token: str) -> Samples:
    # The push is sent before its job is settled: wait until the settlement is counted too.
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while True:
        response = httpx.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert response.status_code == 200
        scraped = samples(response.text)
        if value(scraped, "serang_push_jobs_settled_total", result="done") >= 1 or time.monotonic() > deadline:
            return scraped
        time.sleep(0.1)
