"""A deprecated route says so on every answer (RFC 9745, RFC 8594) and in the OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from litestar import Litestar, Router, get
from litestar.params import FromQuery
from litestar.testing import AsyncTestClient

from serang_app.http.deprecation import deprecated
from serang_app.http.problems import ApiError
from serang_app.module_system import ModuleSpec
from tests.conftest import app_with_document

LINK = "https://serangkab.go.id/api/perubahan"


@get(
    "/old-greeting",
    opt={"public": True},
    **deprecated(since=date(2027, 1, 1), sunset=date(2027, 6, 30), link=LINK),
)
async def old_greeting(fail: FromQuery[bool] = False) -> dict[str, str]:
    if fail:
        raise ApiError(409)
    return {"greeting": "halo"}


@get("/greeting", opt={"public": True})
async def greeting() -> dict[str, str]:
    return {"greeting": "halo"}


PROBE = ModuleSpec(
    slug="probe", name="Probe", version="1", router=Router(path="/", route_handlers=[old_greeting, greeting])
)


@pytest.fixture
async def probe(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app_with_document(database_url, modules=[PROBE])) as client:
        yield client


async def test_a_deprecated_route_announces_its_deprecation_and_sunset(probe: AsyncTestClient[Litestar]) -> None:
    answer = await probe.get("/v1/probe/old-greeting")
    assert answer.status_code == 200
    assert answer.headers["deprecation"] == "@1798761600"  # 2027-01-01T00:00:00Z
    assert answer.headers["sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert answer.headers["link"] == f'<{LINK}>; rel="deprecation sunset"; type="text/html"'
    refused = await probe.get("/v1/probe/old-greeting", params={"fail": "true"})
    assert refused.status_code == 409
    assert refused.headers["deprecation"] == "@1798761600"
    assert refused.headers["sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    current = await probe.get("/v1/probe/greeting")
    assert "deprecation" not in current.headers
    assert "sunset" not in current.headers


async def test_the_document_marks_the_operation_deprecated(probe: AsyncTestClient[Litestar]) -> None:
    document = (await probe.get("/schema/openapi.json")).json()
    old = document["paths"]["/v1/probe/old-greeting"]["get"]
    assert old["deprecated"] is True
    assert {"Deprecation", "Sunset", "Link"} <= set(old["responses"]["200"]["headers"])
    assert not document["paths"]["/v1/probe/greeting"]["get"].get("deprecated")
