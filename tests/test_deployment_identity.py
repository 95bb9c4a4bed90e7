"""The deployment's identity end to end over HTTP (docs/identity.md): a deployment configured for
Kabupaten Pandeglang (36.01) prints its government on the permit's letterhead and names it in the
app's configuration, Open311's discovery and the public statistics, and nowhere Kabupaten Serang;
the default region still names Kabupaten Serang; settings override the derived names."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from pypdf import PageObject, PdfReader

from serang_app.identity.deployment import deployment_identity, service_title
from serang_app.identity.names import english_region_name, government_name
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from serang_app.settings import SettingsError, load_settings
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.complaints_app import modules_app
from tests.support.permit_flow import submitted_application

PANDEGLANG = "36.01"
ADDRESS = "Jl. Bhayangkara No. 1, Pandeglang 42211"
# The permit type's agency (the seed's business certificate), as the letterhead prints it.
AGENCY = "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU"


@pytest.fixture
async def pandeglang(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = modules_app(
        database_url,
        tmp_path,
        permits_module(),
        complaints_module(),
        SERANG_REGION_CODE=PANDEGLANG,
        SERANG_DEPLOYMENT_ADDRESS=ADDRESS,
    )
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
async def default_region(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = modules_app(database_url, tmp_path, permits_module(), complaints_module())
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def _permit_text(client: AsyncTestClient[Litestar], database_url: str) -> str:
    """A business certificate applied for, approved and issued over HTTP: its PDF's text."""
    return (await _permit_page(client, database_url)).extract_text()


async def _permit_page(client: AsyncTestClient[Litestar], database_url: str) -> PageObject:
    """A business certificate applied for, approved and issued over HTTP: its PDF's one page."""
    applicant = bearer(await resident_tokens(client, f"+62816{uuid.uuid4().int % 10**8:08d}"))
    assert (await client.patch("/v1/me", json={"name": "Siti Aminah"}, headers=applicant)).status_code == 200
    application_id, case_id = await submitted_application(client, applicant)
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    assert (await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)).status_code == 200
    assert (await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)).status_code == 200
    downloaded = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)
    assert downloaded.status_code == 200, downloaded.text
    [page] = PdfReader(io.BytesIO(downloaded.content)).pages
    return page


async def _verification_pages(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> list[str]:
    """The verification page for people (HTML), for the issued permit and for an unknown code, in
    both languages."""
    code = await db.fetchval("SELECT verification_code FROM permits.issued")
    pages = []
    for path in (f"/v1/permits/verify/{code}", "/v1/permits/verify/AAAAAAAAAAAAAAAA"):
        for lang in ("id", "en"):
            answer = await client.get(f"{path}?lang={lang}", headers={"Accept": "text/html"})
            assert answer.headers["content-type"].startswith("text/html"), answer.text
            pages.append(answer.text)
    return pages


async def _public_pages(client: AsyncTestClient[Litestar]) -> dict[str, Any]:
    """What anyone reads about who runs the service: the app's configuration, Open311's discovery
    (JSON and XML) and the public statistics."""
    config = await client.get("/v1/app/config")
    discovery = await client.get("/open311/v2/discovery.json")
    discovery_xml = await client.get("/open311/v2/discovery.xml")
    stats = await client.get("/v1/stats/public")
    for answer in (config, discovery, discovery_xml, stats):
        assert answer.status_code == 200, answer.text
    return {
        "config": config.json()["deployment"],
        "contact": discovery.json()["contact"],
        "contact_xml": ElementTree.fromstring(discovery_xml.content).findtext("contact"),
        "stats": {key: stats.json()[key] for key in ("region_code", "region_name", "government_name")},
        "texts": config.text + discovery.text + discovery_xml.text + stats.text,
    }


async def test_another_region_prints_its_government_on_the_permit(
    pandeglang: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    page = await _permit_page(pandeglang, database_url)
    assert len(page.images) == 1  # the QR code: no logo is configured
    text = page.extract_text()
    lines = text.splitlines()
    assert lines[:3] == ["PEMERINTAH KABUPATEN PANDEGLANG", AGENCY, ADDRESS], lines[:5]
    assert "serang" not in text.lower()
    # The page its QR code opens speaks for the same government, found or not.
    known_id, known_en, unknown_id, unknown_en = await _verification_pages(pandeglang, db)
    for html in (known_id, unknown_id):
        assert "<p>Pemerintah Kabupaten Pandeglang</p>" in html
    assert "tidak diterbitkan oleh Pemerintah Kabupaten Pandeglang." in unknown_id
    for html in (known_en, unknown_en):
        assert "<p>Pandeglang Regency Government</p>" in html
    assert "issued by the Pandeglang Regency Government." in unknown_en
    assert not [html for html in (known_id, known_en, unknown_id, unknown_en) if "Serang" in html]


async def test_another_regions_public_pages_name_it(pandeglang: AsyncTestClient[Litestar]) -> None:
    pages = await _public_pages(pandeglang)
    assert pages["config"] == {
        "region_code": "36.01",
        "region_name": "Kabupaten Pandeglang",
        "region_name_en": "Pandeglang Regency",
        "government_name": "Pemerintah Kabupaten Pandeglang",
        "address": ADDRESS,
        "contact": "Pemerintah Kabupaten Pandeglang",
        "logo_url": None,
    }
    assert pages["contact"] == pages["contact_xml"] == "Pemerintah Kabupaten Pandeglang"
    assert pages["stats"] == {
        "region_code": "36.01",
        "region_name": "Kabupaten Pandeglang",
        "government_name": "Pemerintah Kabupaten Pandeglang",
    }
    assert "Serang" not in pages["texts"]


async def test_the_default_region_still_names_kabupaten_serang(
    default_region: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    text = await _permit_text(default_region, database_url)
    assert text.splitlines()[:2] == ["PEMERINTAH KABUPATEN SERANG", AGENCY]
    known_id, known_en, unknown_id, _ = await _verification_pages(default_region, db)
    assert "<p>Pemerintah Kabupaten Serang</p>" in known_id
    assert "<p>Serang Regency Government</p>" in known_en
    assert "tidak diterbitkan oleh Pemerintah Kabupaten Serang." in unknown_id
    pages = await _public_pages(default_region)
    assert pages["config"]["government_name"] == "Pemerintah Kabupaten Serang"
    assert pages["config"]["address"] is None
    assert pages["contact"] == pages["contact_xml"] == "Pemerintah Kabupaten Serang"
    assert pages["stats"]["region_name"] == "Kabupaten Serang"


async def test_settings_override_the_derived_identity(database_url: str, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 150), (200, 30, 30)).save(logo)
    app = modules_app(
        database_url,
        tmp_path,
        permits_module(),
        complaints_module(),
        SERANG_REGION_CODE="36.73",
        SERANG_DEPLOYMENT_NAME="Pemerintah Kota Serang Madani",
        SERANG_DEPLOYMENT_CONTACT="Diskominfo Kota Serang, layanan@example.go.id",
        SERANG_DEPLOYMENT_LOGO_URL="https://example.go.id/logo.png",
        SERANG_DEPLOYMENT_LOGO_FILE=str(logo),
    )
    async with AsyncTestClient(app) as client:
        page = await _permit_page(client, database_url)
        pages = await _public_pages(client)
    text = page.extract_text()
    assert text.splitlines()[0] == "PEMERINTAH KOTA SERANG MADANI"
    # The logo heads the letter, beside the QR code at its foot.
    sizes = sorted(Image.open(io.BytesIO(image.data)).size for image in page.images)
    assert (120, 150) in sizes
    assert len(sizes) == 2
    assert pages["config"]["region_name"] == "Kota Serang"
    assert pages["config"]["government_name"] == "Pemerintah Kota Serang Madani"
    assert pages["config"]["logo_url"] == "https://example.go.id/logo.png"
    assert pages["contact"] == "Diskominfo Kota Serang, layanan@example.go.id"
    assert "Kabupaten Serang" not in pages["texts"]


def test_names_follow_the_kepmendagri_name() -> None:
    assert government_name("Kota Serang") == "Pemerintah Kota Serang"
    assert government_name("Kabupaten Pandeglang") == "Pemerintah Kabupaten Pandeglang"
    assert english_region_name("Kabupaten Pandeglang") == "Pandeglang Regency"
    assert english_region_name("Kota Serang") == "Serang City"
    assert english_region_name("Kota Administrasi Jakarta Pusat") == "Jakarta Pusat Administrative City"
    assert english_region_name("Kabupaten Administrasi Kepulauan Seribu") == "Kepulauan Seribu Administrative Regency"
    title = service_title(deployment_identity(load_settings({"SERANG_REGION_CODE": "36.73"})))
    assert (title.id, title.en) == ("Layanan Kota Serang", "Serang City services")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SERANG_DEPLOYMENT_LOGO_URL", "http://example.go.id/logo.png"),
        ("SERANG_DEPLOYMENT_NAME", "Pemerintah\nKota Serang"),
        ("SERANG_DEPLOYMENT_ADDRESS", "x" * 201),
    ],
)
def test_a_bad_identity_setting_stops_start_up_naming_it(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})
    assert str(raised.value).startswith(f"{variable}: ")


def test_a_logo_file_that_is_not_an_image_stops_start_up(tmp_path: Path) -> None:
    text = tmp_path / "logo.png"
    text.write_text("not a picture")
    for path, problem in ((text, "expected a PNG or JPEG file"), (tmp_path / "missing.png", "cannot be read")):
        with pytest.raises(SettingsError) as raised:
            load_settings({"SERANG_DEPLOYMENT_LOGO_FILE": str(path)})
        assert str(raised.value).startswith(f"SERANG_DEPLOYMENT_LOGO_FILE: {problem}: {path}")


async def test_an_inbox_item_about_no_service_is_headed_with_the_region(
    pandeglang: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    """A notification about no case (or a service no longer listed) is headed with the deployment's
    own service title, as its push is."""
    citizen = bearer(await resident_tokens(pandeglang, f"+62816{uuid.uuid4().int % 10**8:08d}"))
    resident_id = (await pandeglang.get("/v1/me", headers=citizen)).json()["id"]
    await db.execute(
        """INSERT INTO notifications (recipient_kind, recipient_id, source, template, params)
           VALUES ('resident', $1, 'core', 'case.comment', '{"reference": "REF-1"}')""",
        uuid.UUID(resident_id),
    )
    [item] = (await pandeglang.get("/v1/me/notifications", headers=citizen)).json()["items"]
    assert item["title"] == "Layanan Kabupaten Pandeglang"
    english = {**citizen, "Accept-Language": "en"}
    assert (await pandeglang.patch("/v1/me", json={"locale": "en"}, headers=english)).status_code == 200
    [item] = (await pandeglang.get("/v1/me/notifications", headers=citizen)).json()["items"]
    assert item["title"] == "Pandeglang Regency services"
