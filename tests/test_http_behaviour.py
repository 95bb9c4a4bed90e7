"""Problem details for every error, in Indonesian or English; request ids; body limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.testing import AsyncTestClient

from serang_app.http.problems import ApiError
from serang_app.module_system import ModuleSpec
from tests.conftest import app_for


class Greeting(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str = msgspec.field()
    count: int = 1


@post("/greetings", opt={"public": True}, status_code=201)
async def create_greeting(data: JSONBody[Greeting]) -> Greeting:
    return data


@get("/fail/{status:int}", opt={"public": True})
async def fail(status: FromPath[int]) -> None:
    raise ApiError(status)


@get("/crash", opt={"public": True})
async def crash() -> None:
    raise RuntimeError("secret internals: NIK 3604011234560001")


@get("/store", opt={"public": True})
async def store(state: State, text: FromQuery[str]) -> dict[str, str]:
    async with state.database.acquire() as connection:
        stored: str = await connection.fetchval("SELECT $1::text", text)
    return {"stored": stored}


PROBE = ModuleSpec(
    slug="probe",
    name="Probe",
    version="1",
    router=Router(path="/", route_handlers=[create_greeting, fail, crash, store]),
)


@pytest.fixture
async def probe(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = app_for(database_url, modules=[PROBE], SERANG_MAX_BODY_BYTES="2048")
    async with AsyncTestClient(app) as client:
        yield client


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503])
async def test_every_error_is_a_problem_in_indonesian_by_default(probe: AsyncTestClient[Litestar], status: int) -> None:
    response = await probe.get(f"/v1/probe/fail/{status}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] == "id"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:serang:problem:")
    assert body["request_id"] == response.headers["x-request-id"]
    english = (await probe.get(f"/v1/probe/fail/{status}", headers={"Accept-Language": "en-US,en;q=0.9"})).json()
    assert english["code"] == body["code"]
    assert english["detail"] != body["detail"]


async def test_english_only_when_preferred(probe: AsyncTestClient[Litestar]) -> None:
    prefers_id = await probe.get("/v1/probe/fail/404", headers={"Accept-Language": "en;q=0.5, id;q=0.9"})
    assert prefers_id.json()["title"] == "Tidak ditemukan"
    prefers_en = await probe.get("/v1/probe/fail/404", headers={"Accept-Language": "fr, en;q=0.8"})
    assert prefers_en.json()["title"] == "Not found"


async def test_an_unexpected_error_is_a_500_problem_without_internals(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.get("/v1/probe/crash", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


async def test_unknown_route_and_wrong_method(probe: AsyncTestClient[Litestar]) -> None:
    missing = await probe.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert missing.headers["x-request-id"]
    wrong_method = await probe.delete("/v1/services")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"


async def test_a_valid_body_is_accepted(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.post("/v1/probe/greetings", json={"name": "Siti"})
    assert response.status_code == 201
    assert response.json() == {"name": "Siti", "count": 1}


async def test_unknown_fields_and_wrong_types_answer_422_naming_each_field(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.post("/v1/probe/greetings", json={"name": "Siti", "role": "admin"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert len(body["errors"]) == 1
    assert body["errors"][0]["message"] == "Isian `role` tidak dikenal"
    english = await probe.post(
        "/v1/probe/greetings", json={"name": "Siti", "role": "admin"}, headers={"Accept-Language": "en"}
    )
    assert english.json()["errors"][0]["message"] == "Unknown field `role`"

    wrong_type = await probe.post("/v1/probe/greetings", json={"name": "Siti", "count": "many"})
    assert wrong_type.status_code == 422
    assert "count" in str(wrong_type.json()["errors"])


async def test_a_null_body_answers_422(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.post("/v1/probe/greetings", content=b"null", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body"]


async def test_malformed_json_answers_400(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.post(
        "/v1/probe/greetings", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_a_body_that_is_not_json_answers_415(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.post(
        "/v1/probe/greetings", content=b"name=Siti", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_a_body_over_the_limit_answers_413(probe: AsyncTestClient[Litestar]) -> None:
    response = await probe.post("/v1/probe/greetings", json={"name": "x" * 4096}, headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "2048" in response.json()["detail"]


async def test_a_request_id_from_the_client_is_kept_when_plain(probe: AsyncTestClient[Litestar]) -> None:
    kept = await probe.get("/healthz", headers={"X-Request-ID": "app-7f3a9c21"})
    assert kept.headers["x-request-id"] == "app-7f3a9c21"
    replaced = await probe.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_too_many_requests_answer_429(database_url: str) -> None:
    async with AsyncTestClient(app_for(database_url, SERANG_RATE_LIMIT_PER_MINUTE="3")) as client:
        statuses = [(await client.get("/v1/services")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/v1/services")
        assert limited.json()["code"] == "too_many_requests"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # Health checks are never limited: a load balancer polls them constantly.
        assert (await client.get("/healthz")).status_code == 200


async def test_input_the_database_cannot_store_is_a_422_not_a_500(probe: AsyncTestClient[Litestar]) -> None:
    assert (await probe.get("/v1/probe/store", params={"text": "fine"})).json() == {"stored": "fine"}
    response = await probe.get("/v1/probe/store", params={"text": "nul\x00inside"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    login = await probe.post("/v1/staff/auth/login", json={"email": "a\u0000@x.id", "password": "x"})
    assert login.status_code == 422
