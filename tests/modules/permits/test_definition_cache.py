"""Each web process keeps the encoded definitions it serves (definition_routes.py): a publication,
a close, a reopening or an import made through one process shows in every other at once (the
catalogue's NOTIFY on commit), with a fresh ETag, while a saved draft never does."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.modules.appointments import appointments_module
from serang_app.modules.permits import permits_module
from tests.conftest import app_for
from tests.support.accounts import signed_in_staff

EXAMPLE = json.loads((Path(__file__).parent / "dinsos_recommendation.json").read_text())
CODE = EXAMPLE["code"]
URL = f"/v1/permits/definitions/{CODE}"

Clients = tuple[AsyncTestClient[Litestar], AsyncTestClient[Litestar]]


def _app(database_url: str) -> Litestar:
    # Cached answers that would last an hour: only the notice of a change makes one show.
    return app_for(
        database_url,
        modules=[appointments_module(), permits_module()],
        SERANG_CATALOGUE_CACHE_SECONDS="3600",
    )


@pytest.fixture
async def clients(database_url: str) -> AsyncIterator[Clients]:
    """Two web processes' worth of app on one database."""
    async with AsyncTestClient(_app(database_url)) as first, AsyncTestClient(_app(database_url)) as second:
        yield first, second


async def seen_by(client: AsyncTestClient[Litestar], expected: Any) -> Any:
    """The answer once it is as expected (the notice arrives within milliseconds), else the last one."""
    for _ in range(50):
        answer = await client.get(URL)
        if expected(answer):
            break
        await asyncio.sleep(0.05)
    return answer


async def test_a_publication_through_one_process_shows_in_the_other_at_once(
    clients: Clients, database_url: str
) -> None:
    editor, other = clients
    admin = await signed_in_staff(editor, database_url, "admin", None)
    assert (await editor.post("/v1/permits/definitions", json=EXAMPLE, headers=admin)).status_code == 201
    # A draft only: 404 everywhere, before and after the other process has asked.
    assert (await other.get(URL)).status_code == 404
    assert (await other.get(URL)).status_code == 404

    assert (await editor.post(f"{URL}/publish", headers=admin)).status_code == 200
    first = await seen_by(other, lambda answer: answer.status_code == 200)
    assert first.status_code == 200
    assert first.json()["version"] == 1
    assert (await other.get(URL)).headers["etag"] == first.headers["etag"]  # kept, the same bytes
    unchanged = await other.get(URL, headers={"If-None-Match": first.headers["etag"]})
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    # A saved draft is never served; its publication is, in the editing process without waiting.
    changed = copy.deepcopy(EXAMPLE)
    changed["title"]["en"] = "A renamed recommendation"
    assert (await editor.put(f"{URL}/draft", json=changed, headers=admin)).status_code == 200
    assert (await other.get(URL)).json()["version"] == 1
    assert (await editor.post(f"{URL}/publish", headers=admin)).status_code == 200
    mine = await editor.get(URL)
    assert (mine.json()["version"], mine.json()["title"]["en"]) == (2, "A renamed recommendation")
    second = await seen_by(other, lambda answer: answer.json()["version"] == 2)
    assert second.json()["title"]["en"] == "A renamed recommendation"
    assert second.headers["etag"] not in (first.headers["etag"], None)
    assert second.headers["etag"] == mine.headers["etag"]
    again = await other.get(URL, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200

    # Closing and reopening show too.
    assert (await editor.post(f"{URL}/close", headers=admin)).status_code == 200
    assert (await seen_by(other, lambda answer: not answer.json()["is_open"])).json()["is_open"] is False
    assert (await editor.post(f"{URL}/reopen", headers=admin)).status_code == 200
    assert (await seen_by(other, lambda answer: answer.json()["is_open"])).json()["is_open"] is True

    # So does an import (the next version).
    changed["title"]["en"] = "An imported recommendation"
    imported = await editor.post("/v1/permits/definitions/import", json=changed, headers=admin)
    assert imported.status_code == 200
    third = await seen_by(other, lambda answer: answer.json()["version"] == 3)
    assert third.json()["title"]["en"] == "An imported recommendation"
