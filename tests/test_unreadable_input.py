"""Input the server cannot read answers a 4xx problem, never a 500 or a traceback in the log.

Each shape is sent over real HTTP to every route that takes a JSON body (with a resident's and an
administrator's token, so signed-in routes read the body too), and the headers that carry numbers
go to the routes that read them. An outside fuzzer once got a 500 from each of them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar.routes import HTTPRoute

from serang_app.app import create_app
from serang_app.http.body import BODY_MEDIA_TYPES_OPT, BODY_METHODS
from tests.conftest import settings_for
from tests.support.accounts import bearer, create_staff, resident_tokens, staff_tokens
from tests.support.app_server import running_app

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

UNREADABLE_BODIES = {
    "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    "nested past the depth bound": b'{"a":' * 40 + b"1" + b"}" * 40,
    "invalid UTF-8 in a string": b'{"phone": "\xff\xfe", "email": "\xc3\x28"}',
    "invalid UTF-8 alone": b"\xff",
}
_PATH_PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "server.log"
    # Development, for dev sign-in; a separate database URL, so no embedded server starts.
    with running_app(database_url, log, SERANG_ENV="development") as base_url:
        yield base_url, log


def json_body_routes(database_url: str) -> list[tuple[str, str]]:
    """(method, path) of every route of the app with every module that reads a JSON body."""
    app = create_app(settings_for(database_url))
    routes: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if "data" not in handler.parsed_fn_signature.parameters or handler.opt.get(BODY_MEDIA_TYPES_OPT):
                continue
            routes.extend((method, _filled(route.path_format)) for method in handler.http_methods & BODY_METHODS)
    return sorted(routes)


def _filled(path_format: str) -> str:
    samples = {"uuid": str(uuid.uuid4()), "int": "1"}
    return _PATH_PARAMETER.sub(lambda match: samples.get(match.group(2) or "", "sample"), path_format)


async def test_unreadable_input_is_a_problem_never_a_500(server: tuple[str, Path], database_url: str) -> None:
    base_url, log = server
    routes = json_body_routes(database_url)
    assert ("POST", "/v1/auth/dev") in routes
    assert ("POST", "/v1/staff/auth/login") in routes
    assert len(routes) > 30, routes
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        await create_staff(database_url, "admin.fuzz@diskominfosatik.test", "admin", "DISKOMINFOSATIK")
        callers = [
            {},
            bearer(await resident_tokens(client, "+6281299990001")),
            bearer(await staff_tokens(client, "admin.fuzz@diskominfosatik.test")),
        ]
        answers = []
        for method, path in routes:
            for shape, body in UNREADABLE_BODIES.items():
                for caller in callers:
                    # A new connection each: a refusal sent before the body was read (401) may
                    # close the connection while the client is still sending the body.
                    headers = {**caller, "Content-Type": "application/json", "Connection": "close"}
                    response = await client.request(method, path, content=body, headers=headers)
                    answers.append((f"{method} {path} ({shape})", response))
        resident = callers[1]
        # Superscript two: str.isdigit() says yes, int() says no.
        old_app = {b"X-App-Platform": b"android", b"X-App-Version": b"1.\xb2"}
        answers.append(("X-App-Version 1.\xb2", await client.get("/v1/regions", headers=old_app)))
        if_match = {**{name.encode(): value.encode() for name, value in resident.items()}, b"If-Match": b'"\xb2"'}
        case_action = f"/v1/cases/{uuid.uuid4()}/actions/cancel"
        answers.append(("If-Match \xb2", await client.post(case_action, headers=if_match)))

    for what, response in answers:
        assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:200]}"
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", what
    assert dict(answers)["X-App-Version 1.\xb2"].status_code == 200  # not a version: served as without one
    assert dict(answers)["If-Match \xb2"].status_code in (404, 412)
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in logged
    assert "unhandled_error" not in logged
