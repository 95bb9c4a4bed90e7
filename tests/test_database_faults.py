"""A database that shuts down or stops answering: 503 with Retry-After within a bound, and a retry
with the same Idempotency-Key runs once the database is back.

The server is the test's own (tests/support/breakable_postgres.py), stopped with `pg_ctl -m fast`
or frozen with SIGSTOP while requests are under way.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from litestar import Litestar, Router, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.testing import AsyncTestClient

from serang_app.module_system import ModuleSpec
from tests.conftest import app_for
from tests.support.accounts import bearer, resident_tokens
from tests.support.breakable_postgres import BreakablePostgres

# Far above the bounds the app is given below (2 s each), far below "hanging".
ANSWER_BOUND_SECONDS = 20


@post("/slow", opt={"permission": "profile.manage"}, status_code=200)
async def slow_write(state: State) -> dict[str, bool]:
    """A write whose statement runs for a while: long enough to be cut by an outage."""
    async with state.database.acquire() as connection:
        await connection.execute("SELECT pg_sleep(1.5)")
    return {"done": True}


@get("/terminated", opt={"public": True})
async def terminated(state: State, again: FromQuery[bool]) -> None:
    """The server ends this session under the statement, as a fast shutdown does (asyncpg:
    ConnectionDoesNotExistError); `again` then uses the closed connection (InterfaceError)."""
    async with state.database.acquire() as connection:
        try:
            await connection.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        except asyncpg.exceptions.ConnectionDoesNotExistError:
            if not again:
                raise
        await connection.fetchval("SELECT 1")


PROBE = ModuleSpec(
    slug="probe", name="Probe", version="1", router=Router(path="/", route_handlers=[slow_write, terminated])
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[BreakablePostgres]:
    server = BreakablePostgres()
    yield server
    server.close()


@pytest.fixture
async def client(postgres: BreakablePostgres) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = app_for(
        postgres.dsn,
        modules=[PROBE],
        SERANG_DB_CONNECT_TIMEOUT_SECONDS="2",
        SERANG_DB_ACQUIRE_TIMEOUT_SECONDS="2",
        SERANG_DB_COMMAND_TIMEOUT_SECONDS="2",
    )
    async with AsyncTestClient(app, timeout=60) as test_client:
        yield test_client


def stop_while_sleeping(postgres: BreakablePostgres) -> None:
    """Stop the server fast once the slow write is inside its statement (claimed, not finished)."""

    async def until_sleeping() -> None:
        connection = await asyncpg.connect(postgres.dsn)
        try:
            query = "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(1.5)' AND state = 'active'"
            deadline = time.monotonic() + ANSWER_BOUND_SECONDS
            while not await connection.fetchval(query) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            await connection.close()

    asyncio.run(until_sleeping())
    postgres.stop_fast()


def assert_unavailable(response: httpx.Response, took: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unavailable"
    assert int(response.headers["retry-after"]) > 0
    assert took < ANSWER_BOUND_SECONDS


@pytest.mark.e2e
async def test_a_fast_shutdown_answers_503_and_the_retry_runs_after_recovery(
    client: AsyncTestClient[Litestar], postgres: BreakablePostgres
) -> None:
    headers = {**bearer(await resident_tokens(client, "+6281277770001")), "Idempotency-Key": uuid.uuid4().hex}
    # The test client blocks its loop while the app answers, so the outage comes from a thread.
    outage = threading.Thread(target=stop_while_sleeping, args=(postgres,))
    outage.start()
    started = time.monotonic()
    in_flight = client.post("/v1/probe/slow", headers=headers)
    try:
        assert_unavailable(await in_flight, time.monotonic() - started)
        outage.join()
        started = time.monotonic()
        assert_unavailable(await client.post("/v1/probe/slow", headers=headers), time.monotonic() - started)
    finally:
        await asyncio.to_thread(postgres.start)

    retried = await client.post("/v1/probe/slow", headers=headers)
    assert retried.status_code == 200, retried.text  # not 409: the failed request's claim was released
    assert retried.json() == {"done": True}


@pytest.mark.e2e
async def test_a_frozen_database_answers_503_within_a_bound(
    client: AsyncTestClient[Litestar], postgres: BreakablePostgres
) -> None:
    headers = {**bearer(await resident_tokens(client, "+6281277770002")), "Idempotency-Key": uuid.uuid4().hex}
    with postgres.frozen():
        # First on the pool's open connection (its statement waits), then on new ones (connecting waits).
        for method, path in [("POST", "/v1/probe/slow"), ("GET", "/v1/me"), ("GET", "/readyz")]:
            started = time.monotonic()
            response = await client.request(method, path, headers=headers)
            assert_unavailable(response, time.monotonic() - started)

    deadline = time.monotonic() + ANSWER_BOUND_SECONDS
    while (await client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "not ready again after the database woke up"
        await asyncio.sleep(0.2)
    retried = await client.post("/v1/probe/slow", headers=headers)
    assert retried.status_code == 200, retried.text


@pytest.mark.parametrize("again", [False, True])
async def test_a_session_ended_by_the_server_answers_503(database_url: str, again: bool) -> None:
    async with AsyncTestClient(app_for(database_url, modules=[PROBE])) as test_client:
        started = time.monotonic()
        response = await test_client.get("/v1/probe/terminated", params={"again": again})
        assert_unavailable(response, time.monotonic() - started)
        assert (await test_client.get("/readyz")).status_code == 200  # the pool replaced the connection


async def test_a_keyed_request_past_its_lease_is_cut_off_and_its_claim_released(
    database_url: str, db: asyncpg.Connection
) -> None:
    """Past the lease a retry may take the claim over, so the request itself must be over by then."""
    app = app_for(database_url, modules=[PROBE], SERANG_IDEMPOTENCY_LEASE_SECONDS="1")
    async with AsyncTestClient(app) as test_client:
        headers = {**bearer(await resident_tokens(test_client, "+6281277770003")), "Idempotency-Key": "lease-1"}
        started = time.monotonic()
        assert_unavailable(await test_client.post("/v1/probe/slow", headers=headers), time.monotonic() - started)
        assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
