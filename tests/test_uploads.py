"""Uploads against both backends: moto's S3 server over real HTTP, and the local folder."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from tests.conftest import app_for
from tests.support.accounts import signed_in_staff
from tests.support.object_store import local_keys
from tests.support.pdfs import catalog, plain_pdf
from tests.support.upload_backends import Backend, backend, clean_up_uploads, client, fetch, modules, resident
from tests.support.uploading import photo_with_gps, send, start, upload

# Fixtures, used by name.
__all__ = ["backend", "client", "modules"]

JPEG = "image/jpeg"
PDF = "application/pdf"


# --- files --------------------------------------------------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A few dozen bytes whose header claims a huge image (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")
    )


# --- the photo's journey ------------------------------------------------------------------------


async def test_a_photo_with_gps_comes_out_upright_small_and_without_exif(
    client: AsyncTestClient[Litestar], backend: Backend
) -> None:
    auth = await resident(client)
    upload_id, completed = await upload(client, auth, photo_with_gps())
    assert completed.status_code == 200, completed.text
    body = completed.json()
    assert body["status"] == "completed"
    assert (body["width"], body["height"]) == (200, 400)  # upright: the phone was held sideways
    files = {file["name"]: file["url"] for file in body["files"]}
    assert set(files) == {"display", "thumbnail"}
    for name, longest in (("display", 400), ("thumbnail", 320)):
        with Image.open(io.BytesIO(await fetch(client, files[name]))) as stored:
            assert stored.format == "JPEG"
            assert dict(stored.getexif()) == {}  # no GPS, no camera, no orientation left
            assert max(stored.size) == longest
            assert stored.size[1] > stored.size[0]  # portrait, as it was meant to be seen
            # The blue half was on the left; turned clockwise, it is now at the top.
            red, _green, blue = stored.convert("RGB").getpixel((stored.size[0] // 2, 5))  # type: ignore[misc]
            assert blue > red
    # The original (which held the EXIF) is gone; only the two re-encoded files remain.
    assert [key.rsplit("/", 1)[1] for key in backend.stored()] == ["display.jpg", "thumbnail.jpg"]
    assert all(b"Kamera Uji" not in backend.read(key) for key in backend.stored())
    # Completing again answers the same upload.
    again = await client.post(f"/v1/uploads/{upload_id}/complete", headers=auth)
    assert again.status_code == 200
    assert again.json()["completed_at"] == body["completed_at"]


@pytest.mark.parametrize(
    ("data", "content_type", "purpose", "code"),
    [
        pytest.param(
            b"this is a letter, not a photo " * 20, JPEG, "complaint_photo", "upload_not_an_image", id="not-an-image"
        ),
        pytest.param(png_claiming(60000, 60000), "image/png", "complaint_photo", "upload_too_many_pixels", id="bomb"),
        pytest.param(
            b"<!DOCTYPE html><html><body>PDF</body></html>", PDF, "permit_document", "upload_not_pdf", id="html-pdf"
        ),
        pytest.param(photo_with_gps(), "image/png", "complaint_photo", "upload_type_mismatch", id="jpeg-as-png"),
    ],
)
async def test_a_false_file_is_refused_and_leaves_nothing(
    client: AsyncTestClient[Litestar], backend: Backend, data: bytes, content_type: str, purpose: str, code: str
) -> None:
    auth = await resident(client)
    upload_id, completed = await upload(client, auth, data, content_type, purpose)
    assert completed.status_code == 422
    assert completed.json()["code"] == code
    assert backend.stored() == []
    assert (await client.get(f"/v1/uploads/{upload_id}", headers=auth)).status_code == 404


async def test_a_real_pdf_is_kept(client: AsyncTestClient[Litestar], backend: Backend) -> None:
    document = plain_pdf(catalog())
    _, completed = await upload(client, await resident(client), document, PDF, "permit_document")
    assert completed.status_code == 200
    [file] = completed.json()["files"]
    assert file["name"] == "document"
    assert await fetch(client, file["url"]) == document


async def test_sizes_beyond_what_was_declared_or_allowed_are_refused(
    client: AsyncTestClient[Litestar], backend: Backend
) -> None:
    auth = await resident(client)
    too_big = await client.post(
        "/v1/uploads",
        json={"purpose": "complaint_photo", "content_type": JPEG, "size": 10 * 1024 * 1024 + 1},
        headers=auth,
    )
    assert too_big.status_code == 422
    assert [error["field"] for error in too_big.json()["errors"]] == ["size"]
    wrong_type = await client.post(
        "/v1/uploads", json={"purpose": "complaint_photo", "content_type": PDF, "size": 100}, headers=auth
    )
    assert [error["field"] for error in wrong_type.json()["errors"]] == ["content_type"]
    # Declared small, sent large: the local backend refuses the PUT itself (as S3 enforces the
    # policy's content-length-range); moto does not enforce policies, so completion refuses it.
    photo = photo_with_gps()
    started = await client.post(
        "/v1/uploads", json={"purpose": "complaint_photo", "content_type": JPEG, "size": 100}, headers=auth
    )
    sent = await send(client, started.json()["upload"], photo, JPEG)
    completed = await client.post(f"/v1/uploads/{started.json()['id']}/complete", headers=auth)
    if backend.name == "local":
        assert sent.status_code == 403
        assert completed.status_code == 409
        assert completed.json()["code"] == "upload_not_received"
    else:
        assert completed.status_code == 422
        assert completed.json()["code"] == "upload_too_large"
    assert backend.stored() == []


async def test_completing_before_sending_says_so_and_keeps_the_upload(client: AsyncTestClient[Litestar]) -> None:
    auth = await resident(client)
    started = await start(client, auth, photo_with_gps(), JPEG)
    early = await client.post(f"/v1/uploads/{started.json()['id']}/complete", headers=auth)
    assert early.status_code == 409
    assert early.json()["code"] == "upload_not_received"
    await send(client, started.json()["upload"], photo_with_gps(), JPEG)
    assert (await client.post(f"/v1/uploads/{started.json()['id']}/complete", headers=auth)).status_code == 200


async def test_pending_uploads_are_bounded(client: AsyncTestClient[Litestar]) -> None:
    auth = await resident(client)
    answers = [(await start(client, auth, b"x" * 100, JPEG)).status_code for _ in range(11)]
    assert answers == [201] * 10 + [409]


# --- who may touch an upload --------------------------------------------------------------------


async def test_nobody_else_completes_reads_or_attaches_my_upload(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    owner = await resident(client, "+6281411110002")
    other = await resident(client, "+6281411110003")
    upload_id, completed = await upload(client, owner, photo_with_gps())
    assert completed.status_code == 200
    assert (await client.post(f"/v1/uploads/{upload_id}/complete", headers=other)).status_code == 404
    assert (await client.get(f"/v1/uploads/{upload_id}", headers=other)).status_code == 404
    # The other resident's case, waiting for a photo: another's upload cannot be attached to it.
    officer = await signed_in_staff(client, database_url, "officer")
    case_id = (await client.post("/v1/lamps/requests", json={"pole_number": "PJU-3"}, headers=other)).json()["case_id"]
    await _act(client, officer, case_id, "start", 1)
    await _act(client, officer, case_id, "ask_resident", 2, note="Mohon foto tiang.")
    stolen = await _act(client, other, case_id, "send_photo", 3, upload_ids=[upload_id])
    assert stolen.status_code == 404
    assert await db.fetchval("SELECT case_id FROM uploads WHERE id = $1", uuid.UUID(upload_id)) is None
    missing = await _act(client, other, case_id, "send_photo", 3)
    assert missing.status_code == 422
    assert [error["field"] for error in missing.json()["errors"]] == ["upload_ids"]
    # With the resident's own photo the action goes through and the agency can open the photo.
    mine, _ = await upload(client, other, photo_with_gps())
    sent = await _act(client, other, case_id, "send_photo", 3, upload_ids=[mine])
    assert sent.status_code == 200, sent.text
    assert sent.json()["attachments"] == [mine]
    assert (await client.get(f"/v1/uploads/{mine}", headers=officer)).status_code == 200
    outsider = await signed_in_staff(client, database_url, "officer", "DLH")
    assert (await client.get(f"/v1/uploads/{mine}", headers=outsider)).status_code == 404
    # An upload is attached once.
    assert (await _act(client, other, case_id, "send_photo", 4, upload_ids=[mine])).status_code == 409
    # The export lists the resident's uploads with the case each belongs to.
    exported = {item["id"]: item for item in (await client.get("/v1/me/export", headers=other)).json()["uploads"]}
    assert exported[mine]["case_reference"] == sent.json()["reference"]
    assert upload_id not in exported


async def test_staff_attach_their_own_proof_which_the_case_resident_sees(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    citizen = await resident(client, "+6281411110011")
    stranger = await resident(client, "+6281411110012")
    officer = await signed_in_staff(client, database_url, "officer")
    # Each purpose is for some roles: staff cannot file a resident's complaint photo, nor the reverse.
    refused = await start(client, officer, photo_with_gps(), JPEG, "complaint_photo")
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["purpose"]
    assert (await start(client, citizen, photo_with_gps(), JPEG, "case_proof")).status_code == 422
    assert (await start(client, officer, photo_with_gps(), JPEG, "announcement_image")).status_code == 422
    case_id = (await client.post("/v1/lamps/requests", json={"pole_number": "PJU-5"}, headers=citizen)).json()[
        "case_id"
    ]
    await _act(client, officer, case_id, "start", 1)
    proof, completed = await upload(client, officer, photo_with_gps(), JPEG, "case_proof")
    assert completed.status_code == 200, completed.text
    # A resident's photo cannot be passed off as the officer's proof.
    residents_photo, _ = await upload(client, citizen, photo_with_gps())
    assert (await _act(client, officer, case_id, "finish", 2, upload_ids=[residents_photo])).status_code == 404
    finished = await _act(client, officer, case_id, "finish", 2, upload_ids=[proof])
    assert finished.status_code == 200, finished.text
    assert finished.json()["attachments"] == [proof]
    assert (await client.get(f"/v1/uploads/{proof}", headers=citizen)).status_code == 200
    assert (await client.get(f"/v1/uploads/{proof}", headers=stranger)).status_code == 404
    outsider = await signed_in_staff(client, database_url, "officer", "DLH")
    assert (await client.get(f"/v1/uploads/{proof}", headers=outsider)).status_code == 404


async def _act(client: Any, auth: dict[str, str], case_id: str, action: str, version: int, **body: Any) -> Any:
    headers = {**auth, "If-Match": f'"{version}"'}
    return await client.post(f"/v1/cases/{case_id}/actions/{action}", json=body or None, headers=headers)


async def test_only_photos_of_public_cases_have_a_public_thumbnail(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    citizen = await resident(client, "+6281411110009")
    officer = await signed_in_staff(client, database_url, "officer")
    photos = {}
    for public in (True, False):
        created = await client.post(
            "/v1/lamps/requests", json={"pole_number": "PJU-8", "public": public}, headers=citizen
        )
        case_id = created.json()["case_id"]
        await _act(client, officer, case_id, "start", 1)
        await _act(client, officer, case_id, "ask_resident", 2, note="Mohon foto.")
        photo_id, _ = await upload(client, citizen, photo_with_gps())
        assert (await _act(client, citizen, case_id, "send_photo", 3, upload_ids=[photo_id])).status_code == 200
        photos[public] = photo_id
    unattached, _ = await upload(client, citizen, photo_with_gps())
    shown = await client.get(f"/v1/uploads/{photos[True]}/public-thumbnail", follow_redirects=False)  # nobody signed in
    assert shown.status_code == 307
    assert shown.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(await fetch(client, shown.headers["location"]))) as thumbnail:
        assert max(thumbnail.size) <= 320
    for hidden in (photos[False], unattached, str(uuid.uuid4())):
        assert (await client.get(f"/v1/uploads/{hidden}/public-thumbnail")).status_code == 404


# --- the local backend's signed URLs --------------------------------------------------------------


async def test_the_local_backend_refuses_changed_or_expired_urls(database_url: str, tmp_path: Path) -> None:
    app = app_for(database_url, SERANG_DATA_DIR=str(tmp_path / "data"))
    async with AsyncTestClient(app) as client:
        auth = await resident(client)
        photo = photo_with_gps()
        form = (await start(client, auth, photo, JPEG)).json()["upload"]
        url = urlsplit(form["url"])
        query = dict(parse_qsl(url.query))

        def with_query(**changes: str) -> str:
            return f"{url.scheme}://{url.netloc}{url.path}?{urlencode({**query, **changes})}"

        refused = {
            "larger size": with_query(max=str(10 * 1024 * 1024)),
            "longer life": with_query(expires=str(int(query["expires"]) + 3600)),
            "forged signature": with_query(signature="A" * 43),
            # Where completion keeps what it checked: no client URL may write there.
            "a kept file's key": form["url"].replace("/incoming/", "/uploads/").replace("?", "/document.pdf?"),
        }
        for name, changed in refused.items():
            answer = await client.put(changed, content=photo, headers=form["headers"])
            assert answer.status_code == 403, name
        other_type = await client.put(form["url"], content=photo, headers={"Content-Type": "image/png"})
        assert other_type.status_code == 403
        # An expired URL, made by the server itself with a past expiry.
        storage = app.state.storage
        key = url.path.removeprefix("/v1/storage/")
        expired = storage.upload_target(key, JPEG, len(photo), -1, "http://testserver.local").url
        assert (await client.put(expired, content=photo, headers=form["headers"])).status_code == 403
        assert local_keys(tmp_path / "data" / "storage") == []
        assert (await client.put(form["url"], content=photo, headers=form["headers"])).status_code == 204
        read_url = storage.download_url(key, 60, "http://testserver.local")
        assert (await client.get(read_url)).content == photo
        assert (await client.get(read_url.replace("expires=", "expires=9"))).status_code == 403
        stale = storage.download_url(key, -1, "http://testserver.local")
        assert (await client.get(stale)).status_code == 403


# --- clean-up -------------------------------------------------------------------------------------


async def test_the_worker_removes_uploads_left_for_a_day(
    client: AsyncTestClient[Litestar], backend: Backend, database_url: str, db: asyncpg.Connection
) -> None:
    auth = await resident(client)
    old_id, _ = await upload(client, auth, photo_with_gps())
    new_id, _ = await upload(client, auth, photo_with_gps())
    pending = await start(client, auth, b"y" * 100, JPEG)
    await db.execute(
        "UPDATE uploads SET created_at = $2 WHERE id = ANY($1::uuid[])",
        [uuid.UUID(old_id), uuid.UUID(pending.json()["id"])],
        datetime.now(UTC) - timedelta(hours=25),
    )
    assert len(backend.stored()) == 4
    await clean_up_uploads(database_url, backend)
    assert [str(row["id"]) for row in await db.fetch("SELECT id FROM uploads")] == [new_id]
    assert {key.split("/")[2] for key in backend.stored()} == {new_id}
