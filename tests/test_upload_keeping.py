"""What was checked is what is served: a presigned upload URL stays usable after completion, and
nothing sent through it afterwards reaches a reader. Against both backends."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import app_for
from tests.support.pdfs import catalog, plain_pdf
from tests.support.upload_backends import Backend, backend, clean_up_uploads, client, fetch, modules, resident
from tests.support.uploading import photo_with_gps, send, start, upload, upload_keeping_form

# Fixtures, used by name.
__all__ = ["backend", "client", "modules"]

PDF = "application/pdf"
JPEG = "image/jpeg"


async def test_a_checked_document_cannot_be_replaced_by_sending_again(
    client: AsyncTestClient[Litestar], backend: Backend, database_url: str
) -> None:
    auth = await resident(client)
    document = plain_pdf(catalog(b"/Lang (id-ID)"))
    started, completed = await upload_keeping_form(client, auth, document, PDF, "permit_document")
    assert completed.status_code == 200, completed.text
    # The URL is good for its ten minutes: the same form sends a web page in the PDF's place.
    page = b"<!DOCTYPE html><script>document.cookie</script>"
    assert len(page) < len(document)
    resent = await send(client, started["upload"], page, PDF)
    assert resent.status_code in (200, 201, 204), resent.text
    read = await client.get(f"/v1/uploads/{started['id']}", headers=auth)
    [file] = read.json()["files"]
    assert await fetch(client, file["url"]) == document
    # What the second send left is removed by the worker's next round; the checked copy stays.
    await clean_up_uploads(database_url, backend)
    [kept] = backend.stored()
    assert kept.startswith("uploads/")
    assert backend.read(kept) == document


async def test_a_photo_sent_again_after_completion_leaves_nothing_behind(
    client: AsyncTestClient[Litestar], backend: Backend, database_url: str
) -> None:
    auth = await resident(client)
    photo = photo_with_gps()
    started, completed = await upload_keeping_form(client, auth, photo, JPEG)
    assert completed.status_code == 200, completed.text
    await send(client, started["upload"], photo, JPEG)
    pending = (await start(client, auth, photo, JPEG)).json()  # sent, not yet completed: it stays
    await send(client, pending["upload"], photo, JPEG)
    await clean_up_uploads(database_url, backend)
    kept = {key for key in backend.stored() if started["id"] in key}
    assert {key.rsplit("/", 1)[1] for key in kept} == {"display.jpg", "thumbnail.jpg"}
    assert all(b"Kamera Uji" not in backend.read(key) for key in kept)
    [waiting] = [key for key in backend.stored() if pending["id"] in key]
    assert waiting.startswith("incoming/")
    assert (await client.post(f"/v1/uploads/{pending['id']}/complete", headers=auth)).status_code == 200


async def test_files_completed_before_the_move_are_still_served(
    client: AsyncTestClient[Litestar], backend: Backend, db: asyncpg.Connection
) -> None:
    """Rows keep the key of each file, so a document completed where the phone sent it (the old
    layout, `uploads/{owner}/{upload}/original`) is read as before; its URL expired long ago."""
    auth = await resident(client)
    document = plain_pdf(catalog())
    started, completed = await upload_keeping_form(client, auth, document, PDF, "permit_document")
    assert completed.status_code == 200, completed.text
    upload_id = uuid.UUID(started["id"])
    owner = await db.fetchval("SELECT resident_id FROM uploads WHERE id = $1", upload_id)
    old_key = f"uploads/{owner}/{upload_id}/original"
    storage = client.app.state.storage
    await storage.write(old_key, document, PDF)
    await db.execute(
        "UPDATE uploads SET object_key = $2, files = jsonb_build_object('document', $2::text) WHERE id = $1",
        upload_id,
        old_key,
    )
    [file] = (await client.get(f"/v1/uploads/{started['id']}", headers=auth)).json()["files"]
    assert await fetch(client, file["url"]) == document


async def test_stored_files_are_served_with_nosniff(database_url: str, tmp_path: Path) -> None:
    """The local backend's own route; S3 serves its files itself (docs/uploads.md)."""
    async with AsyncTestClient(app_for(database_url, SERANG_DATA_DIR=str(tmp_path / "data"))) as local:
        auth = await resident(local)
        _, completed = await upload(local, auth, photo_with_gps())
        for file in completed.json()["files"]:
            served = await local.get(file["url"])
            assert served.headers["content-type"] == "image/jpeg"
            assert served.headers["x-content-type-options"] == "nosniff"
