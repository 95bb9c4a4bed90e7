"""Idempotency-Key: a retry gets the first answer, never a second effect.

A probe module adds a route that inserts a row per call (its own table, its own migration), so
each test can count the effects. Tests of concurrent requests serve the app with granian (the
production server) in the test's own event loop: the test client hands requests to the app one
at a time, so it could never show two requests overlapping.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar import Litestar, Request, Response, Router, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.response import Stream
from litestar.testing import AsyncTestClient

from serang_app.auth.permissions import ACCOUNT_CHECKED_BY_ROUTE_OPT
from serang_app.auth.principal import Principal
from serang_app.db.pool import open_database
from serang_app.http.problems import ApiError
from serang_app.module_system import ModuleSpec, Permission
from serang_app.storage.factory import open_storage
from serang_app.worker.context import WorkerContext
from serang_app.worker.runner import CORE_TASKS
from tests.conftest import app_for, settings_for
from tests.support.accounts import POLICY, bearer
from tests.support.database import PROJECT_ROOT
from tests.support.served import served

KEY = "Idempotency-Key"


class WidgetIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str


class Widget(msgspec.Struct, kw_only=True):
    id: int
    name: str


@post("/widgets", opt={"permission": "probe.create"}, status_code=201, summary="Create a widget")
async def create_widget(
    request: Request[Principal, Any, State], data: JSONBody[WidgetIn], state: State
) -> Response[Widget]:
    """Inserts one row per call; its name can ask it to wait, to conflict or to crash."""
    if data.name == "wait":
        await state.widget_gate.wait()
    if data.name == "conflict":
        raise ApiError(409)
    if state.failures_left > 0:
        state.failures_left -= 1
        raise RuntimeError("the probe fails on purpose")
    async with state.database.acquire() as connection:
        widget_id: int = await connection.fetchval(
            "INSERT INTO probe.widgets (name, created_by) VALUES ($1, $2) RETURNING id", data.name, request.user.id
        )
    return Response(
        Widget(id=widget_id, name=data.name), status_code=201, headers={"Location": f"/v1/probe/widgets/{widget_id}"}
    )


@post(
    "/widgets/self-checked",
    opt={"permission": "probe.create", ACCOUNT_CHECKED_BY_ROUTE_OPT: True},
    status_code=201,
    summary="Create a widget, the account checked by the route",
)
async def create_widget_checking_the_account(
    request: Request[Principal, Any, State], data: JSONBody[WidgetIn], state: State
) -> Response[Widget]:
    """Like create_widget, on a route that checks the account itself (authentication does not):
    `gone` plays its check finding the account ended while the request ran."""
    if data.name == "gone":
        raise ApiError(401)
    created: Response[Widget] = await create_widget.fn(request, data, state)
    return created


@post("/widgets/broken", opt={"permission": "probe.create"}, status_code=201, summary="Fail mid-answer")
async def broken_widget_stream() -> Stream:
    """Starts an answer and fails halfway: the exception reaches the middleware itself."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"["
        raise RuntimeError("the probe fails on purpose")

    return Stream(chunks(), media_type="application/json")


PROBE = ModuleSpec(
    slug="probe",
    name="Probe",
    version="1",
    router=Router(path="/", route_handlers=[create_widget, create_widget_checking_the_account, broken_widget_stream]),
    migrations=Path(__file__).parent / "idempotency_probe_migrations",
    permissions=(Permission("probe.create", ("resident",), "Create widgets"),),
)


def probe_app(database_url: str) -> Litestar:
    app = app_for(database_url, modules=[PROBE], SERANG_MAX_BODY_BYTES="2048")
    app.state.widget_gate = asyncio.Event()
    app.state.failures_left = 0
    return app


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [PROBE]


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(probe_app(database_url)) as test_client:
        yield test_client


async def signed_in(client: httpx.AsyncClient, phone: str = "+6281211110001") -> dict[str, str]:
    response = await client.post("/v1/auth/dev", json={"phone": phone, "consent_policy_version": POLICY})
    assert response.status_code == 200, response.text
    return bearer(response.json())


async def widget_count(db: asyncpg.Connection) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM probe.widgets")
    return count


# --- one request after another -------------------------------------------------------------


async def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    headers = {**await signed_in(client), KEY: "a7c1f0e2-create-widget"}
    first = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers

    retry = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["location"] == first.headers["location"] == f"/v1/probe/widgets/{first.json()['id']}"
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert retry.headers["x-request-id"] != first.headers["x-request-id"]  # the retry is its own request
    assert await widget_count(db) == 1


async def test_the_same_key_for_a_different_request_answers_422(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    headers = {**await signed_in(client), KEY: "key-1"}
    assert (await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)).status_code == 201
    for different in (
        client.post("/v1/probe/widgets", json={"name": "Pupuk"}, headers=headers),
        client.post("/v1/probe/widgets", json={"name": "Bibit"}, params={"draft": "1"}, headers=headers),
        client.patch("/v1/me", json={"name": "Siti"}, headers=headers),
    ):
        response = await different
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "idempotency_key_reused"
    english = await client.post(
        "/v1/probe/widgets", json={"name": "Pupuk"}, headers={**headers, "Accept-Language": "en"}
    )
    assert english.json()["title"] == "Idempotency-Key already used"
    assert await widget_count(db) == 1


async def test_keys_belong_to_their_caller(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    siti = {**await signed_in(client, "+6281211110001"), KEY: "shared-key"}
    budi = {**await signed_in(client, "+6281211110002"), KEY: "shared-key"}
    first = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=siti)
    other = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=budi)
    assert first.status_code == other.status_code == 201
    assert "idempotent-replayed" not in other.headers
    assert other.json()["id"] != first.json()["id"]
    assert await widget_count(db) == 2
    assert await db.fetchval("SELECT count(DISTINCT caller_id) FROM idempotency_keys WHERE key = 'shared-key'") == 2


async def test_a_failing_handler_releases_the_key(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    headers = {**await signed_in(client), KEY: "flaky-1"}
    client.app.state.failures_left = 1
    failed = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert failed.status_code == 500
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0

    retry = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers  # it ran again, and this answer is kept
    assert (await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)).headers[
        "idempotent-replayed"
    ] == "true"
    assert await widget_count(db) == 1


async def test_final_refusals_are_replayed_and_retryable_ones_are_not(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    auth = await signed_in(client)
    invalid = {**auth, KEY: "invalid-body"}
    first = await client.post("/v1/probe/widgets", json={"name": "Bibit", "colour": "red"}, headers=invalid)
    assert first.status_code == 422
    replayed = await client.post("/v1/probe/widgets", json={"name": "Bibit", "colour": "red"}, headers=invalid)
    assert replayed.status_code == 422
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.headers["content-type"] == "application/problem+json"
    assert replayed.headers["content-language"] == "id"
    assert replayed.json() == first.json()

    # 409 says "not now": the same request may succeed later, so the key stays free.
    conflict = {**auth, KEY: "conflicting"}
    for _ in range(2):
        response = await client.post("/v1/probe/widgets", json={"name": "conflict"}, headers=conflict)
        assert response.status_code == 409
        assert "idempotent-replayed" not in response.headers
    assert await db.fetchval("SELECT array_agg(key) FROM idempotency_keys") == ["invalid-body"]


async def test_an_ended_session_claims_no_key_on_a_route_that_checks_the_account_itself(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    """Authentication does not look the account up for such a route, so the claim checks it: a
    signed-out session is answered 401 with nothing claimed and the handler not run; a 401 of the
    handler's own check is not kept either; an active account's request is kept and replayed."""
    signed = await client.post("/v1/auth/dev", json={"phone": "+6281211110003", "consent_policy_version": POLICY})
    tokens = signed.json()
    auth = bearer(tokens)
    kept = {**auth, KEY: "checked-kept"}
    first = await client.post("/v1/probe/widgets/self-checked", json={"name": "Bibit"}, headers=kept)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/probe/widgets/self-checked", json={"name": "Bibit"}, headers=kept)
    assert (again.headers["idempotent-replayed"], again.json()) == ("true", first.json())
    gone = {**auth, KEY: "checked-gone"}
    refused = await client.post("/v1/probe/widgets/self-checked", json={"name": "gone"}, headers=gone)
    assert refused.status_code == 401
    assert await db.fetchval("SELECT array_agg(key) FROM idempotency_keys") == ["checked-kept"]
    assert (await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
    for key in ("checked-new", "checked-kept"):
        ended = await client.post("/v1/probe/widgets/self-checked", json={"name": "Pupuk"}, headers={**auth, KEY: key})
        assert ended.status_code == 401, ended.text
        assert ended.headers["content-type"] == "application/problem+json"
        assert "idempotent-replayed" not in ended.headers
    assert await db.fetchval("SELECT array_agg(key) FROM idempotency_keys") == ["checked-kept"]
    assert await widget_count(db) == 1


async def test_an_expired_key_counts_as_new(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    headers = {**await signed_in(client), KEY: "old-key"}
    first = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    await db.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")

    again = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    # An expired key is free for any request, and lives another 24 hours from its new first use.
    await db.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
    different = await client.post("/v1/probe/widgets", json={"name": "Pupuk"}, headers=headers)
    assert different.status_code == 201
    lifetime = await db.fetchval("SELECT expires_at - created_at FROM idempotency_keys")
    assert lifetime.total_seconds() == 24 * 60 * 60
    assert await widget_count(db) == 3


async def test_a_claim_left_by_a_dead_process_is_taken_over_after_a_minute(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    headers = {**await signed_in(client), KEY: "crashed"}
    assert (await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)).status_code == 201
    # What a process that died mid-request leaves behind: a claim nobody will finish.
    await db.execute(
        """UPDATE idempotency_keys SET state = 'running', response_status = NULL, response_headers = NULL,
               response_body = NULL, completed_at = NULL"""
    )
    running = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert running.status_code == 409
    assert running.json()["code"] == "idempotency_in_progress"
    # Only the same request takes it over; another one still finds the key used.
    await db.execute("UPDATE idempotency_keys SET created_at = now() - interval '61 seconds'")
    other = await client.post("/v1/probe/widgets", json={"name": "Pupuk"}, headers=headers)
    assert other.status_code == 422
    retry = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert await db.fetchval("SELECT state FROM idempotency_keys") == "completed"
    assert await widget_count(db) == 2


async def test_requests_without_a_key_are_untouched(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    headers = await signed_in(client)
    answers = [await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json()["id"] != answers[1].json()["id"]
    # GET and the public sign-in routes ignore the header: there is no caller to keep it for.
    assert (await client.get("/v1/services", headers={KEY: "read"})).status_code == 200
    phone = {"phone": "+6281211110009", "consent_policy_version": POLICY}
    sign_ins = [await client.post("/v1/auth/dev", json=phone, headers={KEY: "sign-in"}) for _ in range(2)]
    assert [response.status_code for response in sign_ins] == [200, 200]
    assert sign_ins[0].json()["refresh_token"] != sign_ins[1].json()["refresh_token"]
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    assert await widget_count(db) == 2


@pytest.mark.parametrize("key", ["", "with space", "with\ttab", "x" * 256])
async def test_a_malformed_key_answers_422_naming_the_header(client: AsyncTestClient[Litestar], key: str) -> None:
    headers = {**await signed_in(client), KEY: key}
    response = await client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [error["field"] for error in body["errors"]] == [KEY]


async def test_a_body_over_the_limit_answers_413_and_claims_nothing(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    headers = {**await signed_in(client), KEY: "too-big"}
    response = await client.post("/v1/probe/widgets", json={"name": "x" * 4096}, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_core_routes_are_covered_too(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    headers = {**await signed_in(client), KEY: "profile-1"}
    first = await client.patch("/v1/me", json={"name": "Siti Aminah"}, headers=headers)
    assert first.status_code == 200
    replay = await client.patch("/v1/me", json={"name": "Siti Aminah"}, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()


async def test_erasure_forgets_the_stored_answers(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    """A stored answer may hold personal data (here: the resident's name)."""
    auth = await signed_in(client)
    await client.patch("/v1/me", json={"name": "Siti Aminah"}, headers={**auth, KEY: "profile-1"})
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 1
    assert (await client.delete("/v1/me", headers=auth)).status_code == 204
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_the_worker_deletes_expired_keys(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, database_url: str
) -> None:
    auth = await signed_in(client)
    for key in ("old-1", "old-2", "fresh"):
        await client.post("/v1/probe/widgets", json={"name": key}, headers={**auth, KEY: key})
    await db.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key LIKE 'old-%'")
    task = next(task for task in CORE_TASKS if task.name == "delete_expired_idempotency_keys")
    database = await open_database(database_url, min_size=1, max_size=1, connect_timeout=5)
    try:
        await task.run(WorkerContext(database=database, storage=open_storage(settings_for(database_url))))
    finally:
        await database.close()
    assert await db.fetchval("SELECT array_agg(key) FROM idempotency_keys") == ["fresh"]


def test_the_document_offers_the_key_on_every_signed_in_change() -> None:
    document = json.loads((PROJECT_ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    offered = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            # Shared parameters are components the operation refers to (http/openapi_headers.py).
            parameters = [_resolved(document, p) for p in operation.get("parameters", [])]
            takes_key = any(p.get("name") == KEY and p["in"] == "header" and not p["required"] for p in parameters)
            # Public operations say `security: []`; signed-in ones name the bearer scheme.
            expected = method in ("post", "put", "patch") and bool(operation.get("security"))
            assert takes_key == expected, f"{method.upper()} {path}"
            if takes_key:
                offered.add(f"{method.upper()} {path}")
                assert {"409", "422"} <= set(operation["responses"]), f"{method.upper()} {path}"
                assert "Idempotent-Replayed" in operation["responses"]["422"]["headers"]
                assert "Idempotent-Replayed" not in operation["responses"]["409"]["headers"]
    assert {"PATCH /v1/me", "POST /v1/admin/opds"} <= offered
    assert "POST /v1/auth/dev" not in offered


def _resolved(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """A parameter, or the component its `$ref` names."""
    reference = item.get("$ref")
    if reference is None:
        return item
    found: dict[str, Any] = document
    for part in reference.removeprefix("#/").split("/"):
        found = found[part]
    return found


# --- overlapping requests, through a real HTTP server --------------------------------------


async def test_a_retry_while_the_first_is_running_answers_409(database_url: str, db: asyncpg.Connection) -> None:
    app = probe_app(database_url)
    async with served(app) as client:
        headers = {**await signed_in(client), KEY: "slow-1"}
        first = asyncio.create_task(client.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers))
        # The first request holds the key once its row is there; then it waits for the gate.
        for _ in range(200):
            if await db.fetchval("SELECT state FROM idempotency_keys WHERE key = 'slow-1'") == "running":
                break
            await asyncio.sleep(0.01)
        retry = await client.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers)
        assert retry.status_code == 409
        assert retry.json()["code"] == "idempotency_in_progress"
        assert not first.done()

        app.state.widget_gate.set()
        answer = await first
        assert answer.status_code == 201
        replay = await client.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers)
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.json() == answer.json()
    assert await widget_count(db) == 1


async def test_twenty_concurrent_posts_with_one_key_create_exactly_one_widget(
    database_url: str, db: asyncpg.Connection
) -> None:
    async with served(probe_app(database_url)) as client:
        headers = {**await signed_in(client), KEY: str(uuid.uuid4())}
        answers = await asyncio.gather(
            *(client.post("/v1/probe/widgets", json={"name": "Bibit"}, headers=headers) for _ in range(20))
        )
    assert await widget_count(db) == 1
    created = [answer for answer in answers if answer.status_code == 201]
    originals = [answer for answer in created if "idempotent-replayed" not in answer.headers]
    assert len(originals) == 1, [answer.status_code for answer in answers]
    assert all(answer.content == originals[0].content for answer in created)
    assert all(answer.headers["location"] == originals[0].headers["location"] for answer in created)
    in_progress = [answer for answer in answers if answer.status_code == 409]
    assert len(created) + len(in_progress) == 20, [answer.status_code for answer in answers]
    assert all(answer.json()["code"] == "idempotency_in_progress" for answer in in_progress)


async def test_twenty_concurrent_posts_while_the_first_runs_get_409_then_the_first_answer(
    database_url: str, db: asyncpg.Connection
) -> None:
    """The same, with the first request held until every other one has answered."""
    app = probe_app(database_url)
    async with served(app) as client:
        headers = {**await signed_in(client), KEY: str(uuid.uuid4())}
        requests = [
            asyncio.create_task(client.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers))
            for _ in range(20)
        ]
        pending: set[asyncio.Task[httpx.Response]] = set(requests)
        while len(pending) > 1:
            _, pending = await asyncio.wait(pending, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        held = pending.pop()
        assert not held.done()
        refused = [task.result() for task in requests if task is not held]
        assert [answer.status_code for answer in refused] == [409] * 19
        app.state.widget_gate.set()
        first = await held
        assert first.status_code == 201

        retries = await asyncio.gather(
            *(client.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers) for _ in range(20))
        )
    assert {(answer.status_code, answer.headers["idempotent-replayed"]) for answer in retries} == {(201, "true")}
    assert {answer.content for answer in retries} == {first.content}
    assert await widget_count(db) == 1


async def test_a_client_that_gives_up_can_still_collect_the_answer(database_url: str, db: asyncpg.Connection) -> None:
    """The phone loses its connection while the request runs: the work finishes and is kept."""
    app = probe_app(database_url)
    async with served(app) as client:
        headers = {**await signed_in(client), KEY: "lost-connection"}
        async with httpx.AsyncClient(base_url=client.base_url, trust_env=False) as flaky:
            abandoned = asyncio.create_task(flaky.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers))
            for _ in range(200):
                if await db.fetchval("SELECT count(*) FROM idempotency_keys") == 1:
                    break
                await asyncio.sleep(0.01)
            abandoned.cancel()
        app.state.widget_gate.set()
        for _ in range(200):
            if await db.fetchval("SELECT state FROM idempotency_keys") == "completed":
                break
            await asyncio.sleep(0.01)
        retry = await client.post("/v1/probe/widgets", json={"name": "wait"}, headers=headers)
        assert retry.status_code == 201
        assert retry.headers["idempotent-replayed"] == "true"
    assert await widget_count(db) == 1


async def test_an_answer_that_breaks_off_releases_the_key(database_url: str, db: asyncpg.Connection) -> None:
    async with served(probe_app(database_url)) as client:
        headers = {**await signed_in(client), KEY: "broken"}
        response = await client.post("/v1/probe/widgets/broken", json={}, headers=headers)
        # Nothing of the answer was sent (it is held until complete), so the server answers 500.
        assert response.status_code == 500
        assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
