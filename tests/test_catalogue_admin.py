"""Admins keep the catalogue: edits and the home-screen order show in GET /v1/services at once,
in the editing process and (through NOTIFY) in every other, with correct ETags."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from tests.conftest import app_for
from tests.support.accounts import signed_in_staff


def _app(database_url: str) -> Litestar:
    # A cache that would keep the catalogue for an hour: only an invalidation makes edits show.
    return app_for(
        database_url,
        modules=[complaints_module(), permits_module()],
        SERANG_CATALOGUE_CACHE_SECONDS="3600",
    )


@pytest.fixture
async def clients(database_url: str) -> AsyncIterator[tuple[AsyncTestClient[Litestar], AsyncTestClient[Litestar]]]:
    """Two web processes' worth of app on one database."""
    async with AsyncTestClient(_app(database_url)) as first, AsyncTestClient(_app(database_url)) as second:
        yield first, second


def codes(answer: Any) -> list[str]:
    return [item["code"] for item in answer.json()["items"]]


async def test_edits_show_at_once_everywhere_with_fresh_etags(
    clients: tuple[AsyncTestClient[Litestar], AsyncTestClient[Litestar]], database_url: str
) -> None:
    editor, other = clients
    admin = await signed_in_staff(editor, database_url, "admin", None)
    officer = await signed_in_staff(editor, database_url, "officer", "DPMPTSP")
    before = await other.get("/v1/services")
    assert codes(before) == ["complaints.report", "permits.apply"]
    assert (await editor.get("/v1/admin/services", headers=officer)).status_code == 403
    listed = await editor.get("/v1/admin/services", headers=admin)
    assert [(item["code"], item["is_open"]) for item in listed.json()["items"]] == [
        ("complaints.report", True),
        ("permits.apply", True),
    ]

    change = {
        "title": {"id": "Perizinan Online", "en": "Online permits"},
        "is_open": False,
        "sla_days": None,
        "icon": "stamp",
        "requirements": [{"id": "KTP-el", "en": "ID card"}],
    }
    assert (await editor.patch("/v1/admin/services/permits.apply", json=change, headers=officer)).status_code == 403
    changed = await editor.patch("/v1/admin/services/permits.apply", json=change, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["is_open"], changed.json()["sla_days"], changed.json()["icon"]) == (False, None, "stamp")

    # The editing process at once; the other as soon as the NOTIFY arrives.
    mine = {item["code"]: item for item in (await editor.get("/v1/services")).json()["items"]}
    assert mine["permits.apply"]["title"]["en"] == "Online permits"
    for _ in range(50):
        after = await other.get("/v1/services")
        if after.headers["etag"] != before.headers["etag"]:
            break
        await asyncio.sleep(0.05)
    theirs = {item["code"]: item for item in after.json()["items"]}
    assert (theirs["permits.apply"]["title"]["en"], theirs["permits.apply"]["is_open"]) == ("Online permits", False)
    assert theirs["permits.apply"]["requirements"] == [{"id": "KTP-el", "en": "ID card"}]
    unchanged = await other.get("/v1/services", headers={"If-None-Match": after.headers["etag"]})
    assert unchanged.status_code == 304
    stale = await other.get("/v1/services", headers={"If-None-Match": before.headers["etag"]})
    assert stale.status_code == 200

    # The home screen's order.
    ordered = await editor.put("/v1/admin/services/order", json={"codes": ["permits.apply"]}, headers=admin)
    assert ordered.status_code == 200, ordered.text
    assert codes(ordered) == ["permits.apply", "complaints.report"]
    assert codes(await editor.get("/v1/services")) == ["permits.apply", "complaints.report"]

    # Bad input is named; an unknown service is 404.
    for body, field in (
        ({"opd_code": "NOPE"}, "opd_code"),
        ({"icon": "Not An Icon"}, "icon"),
        ({"sla_days": 0}, "sla_days"),
        ({"colour": "red"}, "colour"),
    ):
        refused_change = await editor.patch("/v1/admin/services/permits.apply", json=body, headers=admin)
        assert refused_change.status_code == 422, body
        assert field in str(refused_change.json()["errors"])
    assert (await editor.patch("/v1/admin/services/nope.nothing", json={}, headers=admin)).status_code == 404
    twice = await editor.put(
        "/v1/admin/services/order", json={"codes": ["permits.apply", "permits.apply"]}, headers=admin
    )
    assert twice.status_code == 422
    unknown = await editor.put("/v1/admin/services/order", json={"codes": ["nope.nothing"]}, headers=admin)
    assert "nope.nothing" in str(unknown.json()["errors"])
