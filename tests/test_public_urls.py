"""Every absolute URL the app hands out starts with the configured SERANG_PUBLIC_URL, whatever
Host or X-Forwarded-Host a client sends: a permit's QR code and text, presigned upload and
download links (the local backend, served by the app), public thumbnail and announcement image
redirects, the public complaints, Open311's discovery and media URLs."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import zxingcpp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from pypdf import PdfReader

from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from tests.conftest import app_for
from tests.modules.permits.test_permits import issued_permit
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.database import PROJECT_ROOT
from tests.support.served import served
from tests.support.uploading import photo_with_gps, upload

ORIGIN = "https://layanan.serang.test"
HOSTILE = {"Host": "verify-palsu.example", "X-Forwarded-Host": "verify-palsu.example", "X-Forwarded-Proto": "http"}
COMPLAINT = {
    "category": "street_lights",
    "description": "Lampu jalan di depan pasar mati sejak seminggu.",
    "latitude": -6.05,
    "longitude": 106.1,
    "district_code": "36.04.05",
}


def app(database_url: str, folder: Path) -> Litestar:
    return app_for(
        database_url,
        modules=[complaints_module(), permits_module()],
        SERANG_PUBLIC_URL=ORIGIN,
        SERANG_DATA_DIR=str(folder / "data"),
    )


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """Every request of the test says it is for someone else's site."""
    async with AsyncTestClient(app(database_url, tmp_path)) as test_client:
        test_client.headers.update(HOSTILE)
        yield test_client


def ours(url: str) -> bool:
    return url.startswith(f"{ORIGIN}/") and "verify-palsu" not in url


async def test_a_printed_permit_verifies_on_the_configured_site(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant, _officer, application_id, _ = await issued_permit(client, database_url)
    downloaded = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)
    assert downloaded.status_code == 200
    [page] = PdfReader(io.BytesIO(downloaded.content)).pages
    [qr_image] = page.images
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_image.data)))
    assert re.fullmatch(rf"{re.escape(ORIGIN)}/v1/permits/verify/[\w-]+", decoded.text)
    text = page.extract_text().replace("\n", "")
    assert decoded.text in text
    assert "verify-palsu" not in text
    assert (await client.get(urlsplit(decoded.text).path)).json()["status"] == "valid"


async def test_uploads_thumbnails_complaints_and_open311_link_to_the_configured_site(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    resident = bearer(await resident_tokens(client, "+6281700000042"))
    started = await client.post(
        "/v1/uploads",
        json={"purpose": "complaint_photo", "content_type": "image/jpeg", "size": len(photo_with_gps())},
        headers=resident,
    )
    assert ours(started.json()["upload"]["url"]), started.json()
    photo_id, completed = await upload(client, resident, photo_with_gps())
    assert completed.status_code == 200, completed.text
    assert all(ours(file["url"]) for file in completed.json()["files"]), completed.json()
    read_back = await client.get(f"/v1/uploads/{photo_id}", headers=resident)
    assert all(ours(file["url"]) for file in read_back.json()["files"]), read_back.json()

    filed = await client.post("/v1/complaints", json={**COMPLAINT, "photo_upload_ids": [photo_id]}, headers=resident)
    assert filed.status_code == 201, filed.text
    case_id, reference = filed.json()["case_id"], filed.json()["reference"]
    thumbnail = f"{ORIGIN}/v1/uploads/{photo_id}/public-thumbnail"
    feed = (await client.get("/v1/complaints/public")).json()["items"]
    nearby = (await client.get("/v1/complaints/nearby", params={"lat": -6.05, "lon": 106.1})).json()["items"]
    one = (await client.get(f"/v1/complaints/public/{case_id}")).json()
    assert [item["thumbnail_urls"] for item in (*feed, *nearby, one)] == [[thumbnail]] * 3
    redirect = await client.get(urlsplit(thumbnail).path, follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["cache-control"].startswith("public")
    assert ours(redirect.headers["location"]), redirect.headers["location"]

    discovery = (await client.get("/open311/v2/discovery.json")).json()
    assert [endpoint["url"] for endpoint in discovery["endpoints"]] == [f"{ORIGIN}/open311/v2"]
    discovery_xml = ElementTree.fromstring((await client.get("/open311/v2/discovery.xml")).content)
    assert [url.text for url in discovery_xml.iter("url")] == [f"{ORIGIN}/open311/v2"]
    for path in ("requests", f"requests/{reference}"):
        [request] = (await client.get(f"/open311/v2/{path}.json")).json()
        assert request["media_url"] == thumbnail
        xml = ElementTree.fromstring((await client.get(f"/open311/v2/{path}.xml")).content)
        assert [media.text for media in xml.iter("media_url")] == [thumbnail]


async def test_announcement_images_link_to_the_configured_site(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    image_id, completed = await upload(client, admin, photo_with_gps(), purpose="announcement_image")
    assert completed.status_code == 200, completed.text
    draft = {
        "title": {"id": "Pemadaman listrik terjadwal", "en": "Scheduled power cut"},
        "body": {"id": "Sabtu pukul 08.00-12.00 WIB.", "en": "Saturday from 08:00 to 12:00 WIB."},
        "image_upload_id": image_id,
    }
    published = await client.post("/v1/admin/announcements", json=draft, headers=admin)
    assert published.status_code == 201, published.text
    image_url = f"{ORIGIN}/v1/announcements/{published.json()['id']}/image"
    assert published.json()["image_url"] == image_url
    assert [item["image_url"] for item in (await client.get("/v1/announcements")).json()["items"]] == [image_url]
    listed = (await client.get("/v1/admin/announcements", headers=admin)).json()["items"]
    assert [item["image_url"] for item in listed] == [image_url]
    redirect = await client.get(urlsplit(image_url).path, follow_redirects=False)
    assert redirect.status_code == 307
    assert ours(redirect.headers["location"]), redirect.headers["location"]


async def test_a_real_server_ignores_the_host_it_is_sent(database_url: str, tmp_path: Path) -> None:
    """The same through granian over TCP: what the server sees of Host comes from the wire."""
    async with served(app(database_url, tmp_path)) as http:
        discovery = await http.get("/open311/v2/discovery.json", headers=HOSTILE)
        assert [endpoint["url"] for endpoint in discovery.json()["endpoints"]] == [f"{ORIGIN}/open311/v2"]


def test_no_url_is_built_from_the_request() -> None:
    """Absolute URLs come from http/public_url.py; the request's own URL is read for its path only."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "src").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"\b(?:request|connection)\.(?:base_url|url)\b(?!\.path)|\burl_for\(", line):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert offenders == []
