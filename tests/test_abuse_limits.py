"""Abuse limits: writes per account, public writes per client address (from trusted proxies only),
shared by every process through PostgreSQL; beyond a limit, 429 with Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.db.pool import Database
from serang_app.http.client_address import client_address, parse_networks
from serang_app.modules.complaints import complaints_module
from serang_app.settings import SettingsError
from serang_app.storage.factory import open_storage
from serang_app.worker.context import WorkerContext
from serang_app.worker.runner import CORE_TASKS
from tests.conftest import app_for, settings_for
from tests.support.accounts import POLICY, bearer, resident_tokens
from tests.support.app_server import running_app

DRAFT = {
    "category": "street_lights",
    "description": "Lampu jalan di depan masjid mati sejak seminggu.",
    "latitude": -6.05,
    "longitude": 106.1,
    "district_code": "36.04.05",
}


def limited_app(database_url: str, folder: Path, **limits: str) -> Litestar:
    return app_for(
        database_url,
        modules=[complaints_module()],
        SERANG_DATA_DIR=str(folder / "data"),
        **limits,
    )


@pytest.fixture
async def filing_client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = limited_app(database_url, tmp_path, SERANG_RATE_LIMIT_WRITES_PER_MINUTE="3")
    async with AsyncTestClient(app) as client:
        yield client


def assert_limited(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "too_many_requests"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-limit"] == str(limit)


async def test_a_resident_filing_beyond_the_limit_gets_429_and_a_neighbour_does_not(
    filing_client: AsyncTestClient[Litestar],
) -> None:
    flooding = bearer(await resident_tokens(filing_client, "+6281266660001"))
    neighbour = bearer(await resident_tokens(filing_client, "+6281266660002"))  # the same address
    statuses = [
        (await filing_client.post("/v1/complaints", json=DRAFT, headers=flooding)).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 201]
    assert_limited(await filing_client.post("/v1/complaints", json=DRAFT, headers=flooding), limit=3)
    assert (await filing_client.post("/v1/complaints", json=DRAFT, headers=neighbour)).status_code == 201
    # Reads are not writes: the resident still sees their cases.
    assert (await filing_client.get("/v1/me/cases", headers=flooding)).status_code == 200


async def test_dev_sign_in_is_limited_per_address(database_url: str, tmp_path: Path) -> None:
    app = limited_app(database_url, tmp_path, SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE="2")
    async with AsyncTestClient(app) as client:
        for number in range(2):
            body = {"phone": f"+628126666100{number}", "consent_policy_version": POLICY}
            assert (await client.post("/v1/auth/dev", json=body)).status_code == 200
        body = {"phone": "+6281266661009", "consent_policy_version": POLICY}
        assert_limited(await client.post("/v1/auth/dev", json=body), limit=2)


async def test_open311_posts_are_limited_per_address(database_url: str, tmp_path: Path) -> None:
    app = limited_app(database_url, tmp_path, SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE="2")
    form = {"api_key": "s311_unknown", "service_code": "street_lights", "lat": "-6.05", "long": "106.1"}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with AsyncTestClient(app) as client:
        for _ in range(2):
            assert (await client.post("/open311/v2/requests.json", data=form, headers=headers)).status_code == 403
        assert_limited(await client.post("/open311/v2/requests.json", data=form, headers=headers), limit=2)


def staff_login(base_url: str, forwarded_for: str | None = None) -> httpx.Response:
    """A failed sign-in (a public write) from 127.0.0.1, with a new address each so no lock-out applies."""
    headers: dict[str, Any] = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    body = {"email": f"nobody-{uuid.uuid4().hex[:8]}@serang.test", "password": "salah-salah-salah"}
    return httpx.post(f"{base_url}/v1/staff/auth/login", json=body, headers=headers, timeout=30)


@pytest.mark.e2e
def test_two_processes_share_the_count_and_a_spoofed_forwarded_for_is_ignored(
    database_url: str, tmp_path: Path
) -> None:
    limits = {"SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "3"}
    with (
        running_app(database_url, tmp_path / "first.log", **limits) as first,
        running_app(database_url, tmp_path / "second.log", **limits) as second,
    ):
        # Each claims to be someone else; no proxy is trusted, so each is 127.0.0.1.
        answers = [
            staff_login(first, "198.51.100.1"),
            staff_login(second, "198.51.100.2"),
            staff_login(first, "198.51.100.3"),
        ]
        assert [answer.status_code for answer in answers] == [401, 401, 401]
        assert_limited(staff_login(second, "198.51.100.4"), limit=3)


@pytest.mark.e2e
def test_a_trusted_proxy_names_the_client(database_url: str, tmp_path: Path) -> None:
    limits = {"SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "2", "SERANG_TRUSTED_PROXIES": "127.0.0.0/8, 10.0.0.0/8"}
    with running_app(database_url, tmp_path / "server.log", **limits) as base_url:
        # Read right to left: 10.1.2.3 is a trusted hop, 203.0.113.7 the client; what it wrote itself
        # further left (a made-up address) does not matter.
        assert staff_login(base_url, "203.0.113.7, 10.1.2.3").status_code == 401
        assert staff_login(base_url, "192.0.2.99, 203.0.113.7").status_code == 401
        assert_limited(staff_login(base_url, "203.0.113.7"), limit=2)
        # Another client behind the same proxy has its own allowance.
        assert staff_login(base_url, "203.0.113.8").status_code == 401


async def test_the_request_limit_counts_per_account_not_per_shared_address(database_url: str, tmp_path: Path) -> None:
    """Residents behind one carrier NAT (here: one test client address) each get their own allowance."""
    app = limited_app(database_url, tmp_path, SERANG_RATE_LIMIT_PER_MINUTE="4")
    async with AsyncTestClient(app) as client:
        first = bearer(await resident_tokens(client, "+6281266662001"))  # the address's 1st request
        second = bearer(await resident_tokens(client, "+6281266662002"))  # and its 2nd
        assert [(await client.get("/v1/me", headers=first)).status_code for _ in range(4)] == [200] * 4
        limited = await client.get("/v1/me", headers=first)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert (await client.get("/v1/me", headers=second)).status_code == 200
        assert (await client.get("/v1/services")).status_code == 200  # the address's 3rd


def test_forwarded_addresses_are_read_right_to_left_and_ipv6_by_its_prefix() -> None:
    trusted = parse_networks("10.0.0.0/8")

    def scope(peer: str, forwarded: str | None) -> dict[str, Any]:
        headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
        return {"client": (peer, 5000), "headers": headers}

    assert client_address(scope("10.0.0.2", "1.1.1.1, 2001:db8:1:2::7, 10.0.0.9"), trusted) == "2001:db8:1:2::/64"
    assert client_address(scope("10.0.0.2", "not-an-address, 10.0.0.9"), trusted) == "10.0.0.9"
    assert client_address(scope("10.0.0.2", None), trusted) == "10.0.0.2"
    assert client_address(scope("192.0.2.5", "1.1.1.1"), trusted) == "192.0.2.5"  # untrusted peer
    assert client_address(scope("192.0.2.5", "1.1.1.1"), []) == "192.0.2.5"
    with pytest.raises(SettingsError, match="SERANG_TRUSTED_PROXIES"):
        settings_for("postgresql://unused", SERANG_TRUSTED_PROXIES="10.0.0.0/8, proxy.internal")


async def test_the_worker_forgets_ended_windows(
    filing_client: AsyncTestClient[Litestar], db: asyncpg.Connection, app_database: Database, database_url: str
) -> None:
    auth = bearer(await resident_tokens(filing_client, "+6281266663002"))
    assert (await filing_client.post("/v1/complaints", json=DRAFT, headers=auth)).status_code == 201
    await db.execute("INSERT INTO write_limit_windows VALUES ('address:192.0.2.1', now() - interval '2 minutes', 9)")
    task = next(task for task in CORE_TASKS if task.name == "delete_ended_write_limit_windows")
    await task.run(WorkerContext(database=app_database, storage=open_storage(settings_for(database_url))))
    buckets = await db.fetchval("SELECT array_agg(bucket) FROM write_limit_windows")
    assert len(buckets) == 1
    assert buckets[0].startswith("resident:")
