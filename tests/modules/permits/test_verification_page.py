"""The page the permit's QR code opens (issue 22): people get HTML in their language, machines
keep the JSON; the page escapes what people typed, loads nothing, and renders in a real browser."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.permits import permits_module
from tests.conftest import app_with_document
from tests.support.app_server import running_app
from tests.support.browser import rendered_text
from tests.support.permit_flow import issued_permit

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember")  # fmt: skip


@pytest.fixture
def modules() -> list[ModuleSpec]:
    """The conftest's client runs the permits module, migrated once in its template."""
    return [permits_module()]


async def verification_path(client: AsyncTestClient[Litestar], database_url: str) -> str:
    _applicant, _application_id, issued = await issued_permit(client, database_url, "Siti Aminah")
    url: str = issued["permit"]["verification_url"]
    return url.removeprefix("http://testserver.local")


async def test_machines_keep_the_json_and_browsers_get_a_page_that_loads_nothing(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    path = await verification_path(client, database_url)
    for accept in (None, "*/*", "application/json"):
        answered = await client.get(path, headers={"Accept": accept} if accept else {})
        assert answered.status_code == 200
        assert answered.headers["content-type"].startswith("application/json")
        assert answered.json()["holder"] == "S*** A*****"
    page = await client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'sha256-" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["vary"] == "Accept, Accept-Language"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in page.text
    assert "http" not in page.text.lower().replace("http-equiv", "")  # no external asset, no link out
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    # Personal data: the masked name only, never the full one.
    assert "S*** A*****" in page.text
    assert "Siti" not in page.text


async def test_the_page_speaks_the_language_asked_for(client: AsyncTestClient[Litestar], database_url: str) -> None:
    path = await verification_path(client, database_url)
    indonesian = await client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert '<html lang="id">' in indonesian.text
    assert "Izin ini sah dan berlaku" in indonesian.text
    by_header = await client.get(path, headers={"Accept": BROWSER_ACCEPT, "Accept-Language": "en-GB,en;q=0.9"})
    assert "This permit is genuine and valid" in by_header.text
    assert by_header.headers["content-language"] == "en"
    by_query = await client.get(f"{path}?lang=en", headers={"Accept": BROWSER_ACCEPT, "Accept-Language": "id"})
    assert "Valid until" in by_query.text
    assert (await client.get(f"{path}?lang=fr", headers={"Accept": BROWSER_ACCEPT})).status_code == 422
    assert (await client.get(f"{path}?colour=red", headers={"Accept": BROWSER_ACCEPT})).status_code == 200


async def test_what_people_typed_is_escaped_and_an_unknown_code_is_a_page_too(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    path = await verification_path(client, database_url)
    await db.execute("UPDATE opds SET name = $1 WHERE code = 'DPMPTSP'", '<img src=x onerror="alert(1)"> & Co')
    await db.execute("UPDATE permits.issued SET holder_name = '<script>alert(1)</script>'")
    page = await client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert "<img" not in page.text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in page.text
    assert "<script" not in page.text
    unknown = await client.get("/v1/permits/verify/AAAAAAAAAAAAAAAA", headers={"Accept": BROWSER_ACCEPT})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "text/html; charset=utf-8"
    assert "Kode verifikasi ini tidak dikenal" in unknown.text
    for_machines = await client.get("/v1/permits/verify/AAAAAAAAAAAAAAAA")
    assert (for_machines.status_code, for_machines.json()["code"]) == (404, "not_found")


async def test_the_document_declares_both_media_types(database_url: str, modules: list[ModuleSpec]) -> None:
    async with AsyncTestClient(app_with_document(database_url, modules)) as served:
        document = (await served.get("/schema/openapi.json")).json()
    content = document["paths"]["/v1/permits/verify/{code}"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/html"}


@pytest.mark.e2e  # a served app and chromium
async def test_a_browser_renders_the_page_in_both_languages(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    path = await verification_path(client, database_url)
    issued = await db.fetchrow("SELECT number, issued_at, expires_at FROM permits.issued")
    assert issued is not None
    agency = await db.fetchval("SELECT name FROM opds WHERE code = 'DPMPTSP'")
    until = issued["expires_at"].astimezone(ZoneInfo("Asia/Jakarta"))
    with running_app(database_url, tmp_path / "server.log") as base_url:
        indonesian = " ".join(rendered_text(f"{base_url}{path}", tmp_path, language="id").split())
        english = " ".join(rendered_text(f"{base_url}{path}?lang=en", tmp_path, language="en").split())
    for seen in (indonesian, english):
        assert issued["number"] in seen
        assert agency in seen
        assert "S*** A*****" in seen
    assert "Izin ini sah dan berlaku" in indonesian
    assert f"Berlaku sampai {until.day} {MONTHS_ID[until.month - 1]} {until.year}" in indonesian
    assert "Diterbitkan oleh" in indonesian
    assert "This permit is genuine and valid" in english
    assert f"Valid until {until.day} {until.strftime('%B')} {until.year}" in english
    assert "Issued by" in english
