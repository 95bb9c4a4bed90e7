"""Hiding a complaint's photo ends the links to its thumbnail already handed out, on both storage
backends (moto's S3 server over real HTTP, and the local folder): S3 cannot revoke a presigned
URL, so the thumbnail moves to a new key once the hide commits (uploads/hiding.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from tests.support.accounts import resident, signed_in_staff
from tests.support.complaints_app import pothole_report
from tests.support.upload_backends import Backend, backend, client, fetch
from tests.support.uploading import photo_with_gps, upload

__all__ = ["backend", "client"]  # the fixtures, on both backends


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module()]


async def status_of(client: Any, url: str) -> int:
    """What a link answers now, wherever it points (the app's own storage, or S3)."""
    if url.startswith("http://testserver"):
        return int((await client.get(url)).status_code)
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        return (await http.get(url)).status_code


async def test_hiding_a_photo_ends_the_links_handed_out(
    client: AsyncTestClient[Litestar], database_url: str, backend: Backend
) -> None:
    reporter = await resident(client, "Siti Aminah")
    photo, _ = await upload(client, reporter, photo_with_gps())
    filed = await client.post("/v1/complaints", json=pothole_report(photo), headers=reporter)
    assert filed.status_code == 201, filed.text
    officer = await signed_in_staff(client, database_url, "officer", "DPUPR")
    link = (await client.get(f"/v1/uploads/{photo}/public-thumbnail", follow_redirects=False)).headers["location"]
    assert await fetch(client, link)
    thumbnails_before = {key for key in backend.stored() if "/thumbnail" in key}

    body = {"target": "photo", "photo_upload_id": photo, "action": "hide", "reason": "Wajah orang terlihat jelas."}
    hidden = await client.post(f"/v1/complaints/{filed.json()['case_id']}/moderation", json=body, headers=officer)
    assert hidden.status_code == 200, hidden.text

    assert await status_of(client, link) in (403, 404)  # the object is gone
    thumbnails_after = {key for key in backend.stored() if "/thumbnail" in key}
    assert len(thumbnails_after) == 1
    assert not thumbnails_after & thumbnails_before
    # The reporter still opens it, at its new key.
    read = await client.get(f"/v1/uploads/{photo}", headers=reporter)
    [thumbnail] = [file["url"] for file in read.json()["files"] if file["name"] == "thumbnail"]
    assert await fetch(client, thumbnail) == backend.read(thumbnails_after.pop())

    restored = await client.post(
        f"/v1/complaints/{filed.json()['case_id']}/moderation", json={**body, "action": "restore"}, headers=officer
    )
    assert restored.status_code == 200, restored.text
    again = await client.get(f"/v1/uploads/{photo}/public-thumbnail", follow_redirects=False)
    assert again.status_code == 307
    assert await fetch(client, again.headers["location"])
