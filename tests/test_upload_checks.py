"""What completion's checks cost and refuse: bounded work per web process, pixel limits that
match phones, only pixels written, no PDF that runs code."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from serang_app.uploads.check_pool import CheckPool, CheckQueueFullError
from serang_app.uploads.refusal import FileRefusedError
from tests.conftest import app_for
from tests.support.checking_probes import MEBIBYTE, allocate, die, lifetime, peak_memory_of_checking
from tests.support.object_store import local_keys
from tests.support.pdfs import PAGE_TREE, catalog, compressed_pdf, plain_pdf
from tests.support.served import served
from tests.support.upload_backends import Backend, backend, client, fetch, modules, resident
from tests.support.uploading import send, start, upload

# Fixtures, used by name.
__all__ = ["backend", "client", "modules"]

PNG = "image/png"
JPEG = "image/jpeg"
PDF = "application/pdf"


@pytest.fixture
async def local_client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The local backend only: what is measured here does not depend on where files are stored."""
    app = app_for(database_url, SERANG_DATA_DIR=str(tmp_path / "data"))
    async with AsyncTestClient(app) as test_client:
        yield test_client


def encoded(width: int, height: int, mode: str = "RGB", **save: object) -> bytes:
    """A flat picture: a few hundred kilobytes at most, whatever its pixel count."""
    fill = (40, 90, 160, 200)[: len(mode)] if mode in ("RGB", "RGBA") else 0
    out = io.BytesIO()
    Image.new(mode, (width, height), fill).save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


# --- the cost of one process's checks is bounded ------------------------------------------------


async def test_checks_run_in_new_processes_never_more_at_once_than_configured() -> None:
    pool = CheckPool(2)

    async def one() -> tuple[int, float, float]:
        async with pool.slot():
            return await pool.run(lifetime, 0.3)

    try:
        runs = await asyncio.gather(*(one() for _ in range(6)))
    finally:
        pool.close()
    processes = {pid for pid, _, _ in runs}
    # Never in the web process, and a new process each time: what a check took goes back with it.
    assert os.getpid() not in processes
    assert len(processes) == 6
    moments = sorted([(start, 1) for _, start, _ in runs] + [(end, -1) for _, _, end in runs])
    running = [sum(step for _, step in moments[: index + 1]) for index in range(len(moments))]
    assert max(running) <= 2


def test_the_app_checks_as_many_files_at_once_as_configured(database_url: str) -> None:
    assert app_for(database_url).state.check_pool.processes == 1
    assert app_for(database_url, SERANG_UPLOAD_CHECK_PROCESSES="3").state.check_pool.processes == 3


def test_the_app_lets_as_many_completions_wait_as_configured(database_url: str) -> None:
    assert app_for(database_url).state.check_pool.max_waiting == 32
    assert app_for(database_url, SERANG_UPLOAD_CHECK_QUEUE="5").state.check_pool.max_waiting == 5


async def test_a_completion_past_the_queue_is_told_when_to_come_back_and_keeps_its_file(
    database_url: str, tmp_path: Path
) -> None:
    """With every check slot taken and `SERANG_UPLOAD_CHECK_QUEUE` completions waiting, the next
    is answered 503 `upload_checks_busy` at once, with Retry-After in whole seconds; the waiting
    one completes when a slot frees, and the refused one completes on its retry. Over real HTTP
    in this event loop (served), where requests overlap and the test can hold the slot."""
    app = app_for(database_url, SERANG_DATA_DIR=str(tmp_path / "data"), SERANG_UPLOAD_CHECK_QUEUE="1")
    pool: CheckPool = app.state.check_pool
    photo = encoded(64, 48, format="JPEG")
    async with served(app) as client:
        auth = await resident(client)
        ids = []
        for _ in range(2):
            started = (await start(client, auth, photo, JPEG)).json()
            form = started["upload"]
            target = urlsplit(form["url"])  # the configured public URL; this server listens elsewhere
            put = await client.put(f"{target.path}?{target.query}", content=photo, headers=form["headers"])
            assert put.is_success, put.text
            ids.append(started["id"])
        async with pool.slot():  # the one check slot, taken
            waiting = asyncio.ensure_future(client.post(f"/v1/uploads/{ids[0]}/complete", headers=auth))
            while pool.waiting == 0:
                await asyncio.sleep(0.01)
            refused = await client.post(f"/v1/uploads/{ids[1]}/complete", headers={**auth, "Accept-Language": "en"})
            assert not waiting.done()
        assert (refused.status_code, refused.json()["code"]) == (503, "upload_checks_busy"), refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert (
            refused.json()["detail"]
            == "Many files are being checked. Yours is kept: complete it again in a few seconds."
        )
        assert (await waiting).status_code == 200
        retried = await client.post(f"/v1/uploads/{ids[1]}/complete", headers=auth)
        assert (retried.status_code, retried.json()["status"]) == (200, "completed"), retried.text
    pool.close()


async def test_the_retry_after_follows_the_queue_and_the_checks_pace() -> None:
    pool = CheckPool(1, max_waiting=2)
    release = asyncio.Event()

    async def hold() -> None:
        async with pool.slot():
            await release.wait()

    holders = [asyncio.ensure_future(hold()) for _ in range(3)]
    while pool.waiting < 2:
        await asyncio.sleep(0.01)
    with pytest.raises(CheckQueueFullError) as first:
        async with pool.slot():
            pass
    # Three slots' turns ahead at the first guess of half a second each.
    assert first.value.retry_after == 2
    release.set()
    await asyncio.gather(*holders)
    assert pool.waiting == 0
    async with pool.slot():  # free again: no refusal
        pass


async def test_a_checking_process_has_a_memory_limit_and_a_dead_one_refuses_only_its_file() -> None:
    pool = CheckPool(1)
    try:
        with pytest.raises(MemoryError):
            await pool.run(allocate, 1024)
        assert await pool.run(allocate, 64) == 64 * MEBIBYTE
        # A process ended by the kernel (its CPU limit, or memory running out) refuses the file...
        with pytest.raises(FileRefusedError) as refused:
            await pool.run(die)
        assert refused.value.code == "upload_too_complex"
        # ...and the next file is checked as usual.
        assert (await pool.run(lifetime, 0))[0] != os.getpid()
    finally:
        pool.close()


async def test_a_picture_over_the_limits_is_refused_without_decoding_it() -> None:
    pool = CheckPool(1)
    try:
        _, baseline = await pool.run(peak_memory_of_checking, encoded(64, 64, format="PNG"), PNG)
        # 6320x6320 would be 152 MiB of pixels; a 4096x4096 picture is decoded, 64 MiB.
        refused, refused_peak = await pool.run(peak_memory_of_checking, encoded(6320, 6320, format="PNG"), PNG)
        kept, kept_peak = await pool.run(peak_memory_of_checking, encoded(4096, 4096, format="PNG"), PNG)
    finally:
        pool.close()
    assert (refused, kept) == ("upload_too_many_pixels", "kept")
    assert refused_peak - baseline < 16 * MEBIBYTE
    assert kept_peak - baseline > 48 * MEBIBYTE


async def test_ten_huge_pngs_completed_at_once_are_refused_before_decoding(
    local_client: AsyncTestClient[Litestar], tmp_path: Path
) -> None:
    """The review's attack: 114 KiB PNGs of 6320x6320 (39.9 MP), ten completed at once."""
    auth = await resident(local_client)
    picture = encoded(6320, 6320, format="PNG")
    assert len(picture) < 200 * 1024
    started = [(await start(local_client, auth, picture, PNG)).json() for _ in range(10)]
    for each in started:
        assert (await send(local_client, each["upload"], picture, PNG)).status_code == 204
    answers = await asyncio.gather(
        *(local_client.post(f"/v1/uploads/{each['id']}/complete", headers=auth) for each in started)
    )
    assert [answer.status_code for answer in answers] == [422] * 10
    assert {answer.json()["code"] for answer in answers} == {"upload_too_many_pixels"}
    assert local_keys(tmp_path / "data" / "storage") == []


# Each picture is encoded when its test runs, not when the tests are collected: encoding them
# all took two seconds of CPU in every pytest process.
@pytest.mark.parametrize(
    ("picture", "content_type", "expected"),
    [
        # Decoded whole: the limit is 4096x4096, transparency included.
        pytest.param(partial(encoded, 4096, 4096, "RGBA", format="PNG"), PNG, 200, id="png-at-the-limit"),
        pytest.param(partial(encoded, 4097, 4096, format="PNG"), PNG, "upload_too_many_pixels", id="png-over"),
        pytest.param(partial(encoded, 4096, 2048, "RGBA", format="WEBP"), "image/webp", 200, id="webp-at-its-limit"),
        pytest.param(
            partial(encoded, 4096, 2049, format="WEBP"), "image/webp", "upload_too_many_pixels", id="webp-over"
        ),
        # A camera's baseline JPEG is decoded at a quarter of its size: a 48 MP photo is taken.
        pytest.param(partial(encoded, 8000, 6000, format="JPEG"), JPEG, 200, id="48mp-baseline-jpeg"),
        # A progressive JPEG keeps every coefficient while decoding: it counts at full size.
        pytest.param(
            partial(encoded, 8000, 6000, format="JPEG", progressive=True),
            JPEG,
            "upload_too_many_pixels",
            id="48mp-progressive",
        ),
        pytest.param(partial(encoded, 8000, 6300, format="JPEG"), JPEG, "upload_too_many_pixels", id="over-50mp"),
        # A strip: the draft scale follows its short side, so it cannot force a full decode.
        pytest.param(partial(encoded, 40000, 1000, format="JPEG"), JPEG, 200, id="40mp-strip"),
    ],
)
async def test_pixel_limits_follow_what_is_really_decoded(
    local_client: AsyncTestClient[Litestar], picture: Callable[[], bytes], content_type: str, expected: int | str
) -> None:
    _, completed = await upload(local_client, await resident(local_client), picture(), content_type)
    if expected == 200:
        assert completed.status_code == 200, completed.text
    else:
        assert completed.status_code == 422
        assert completed.json()["code"] == expected


# --- only pixels leave ----------------------------------------------------------------------------


async def test_a_jpeg_comment_reaches_neither_the_display_image_nor_the_thumbnail(
    client: AsyncTestClient[Litestar], backend: Backend
) -> None:
    comment = b"Rumah saya: Jl. Kenari 12, Kramatwatu"
    photo = encoded(1600, 1200, format="JPEG", comment=comment)
    assert comment in photo
    _, completed = await upload(client, await resident(client), photo)
    assert completed.status_code == 200, completed.text
    files = {file["name"]: file["url"] for file in completed.json()["files"]}
    assert set(files) == {"display", "thumbnail"}
    for url in files.values():
        served = await fetch(client, url)
        assert comment not in served
        with Image.open(io.BytesIO(served)) as image:
            assert "comment" not in image.info
    assert all(comment not in backend.read(key) for key in backend.stored())


# --- documents that run code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            compressed_pdf({**catalog(b"/OpenAction 4 0 R"), 4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}),
            id="javascript-on-open-in-an-object-stream",
        ),
        pytest.param(
            compressed_pdf(
                {
                    **catalog(),
                    3: PAGE_TREE[3].replace(b" >>", b" /AA << /O << /S /Launch /F (cmd.exe) >> >> >>"),
                }
            ),
            id="launch-when-a-page-opens-in-an-object-stream",
        ),
        pytest.param(
            plain_pdf(
                {
                    **catalog(b"/Names << /JavaScript 4 0 R >>"),
                    4: b"<< /Names [(init) 5 0 R] >>",
                    5: b"<< /S /JavaScript /JS (this.print\\(\\)) >>",
                }
            ),
            id="document-javascript",
        ),
        pytest.param(plain_pdf(catalog(b"/OpenAction << /S /J#61vaScript /J#53 (x) >>")), id="escaped-names"),
        pytest.param(
            plain_pdf(
                {
                    **catalog(),
                    3: PAGE_TREE[3].replace(b" >>", b" /Annots [4 0 R] >>"),
                    4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /Launch /F (a.exe) >> >>",
                }
            ),
            id="launch-from-a-link",
        ),
    ],
)
async def test_a_pdf_that_runs_code_is_refused(
    client: AsyncTestClient[Litestar], backend: Backend, document: bytes
) -> None:
    auth = await resident(client)
    started = await start(client, auth, document, PDF, "permit_document")
    await send(client, started.json()["upload"], document, PDF)
    completed = await client.post(
        f"/v1/uploads/{started.json()['id']}/complete", headers={**auth, "Accept-Language": "en"}
    )
    assert completed.status_code == 422
    assert completed.headers["content-type"] == "application/problem+json"
    assert completed.json()["code"] == "upload_pdf_active_content"
    assert "JavaScript" in completed.json()["detail"]
    assert backend.stored() == []


async def test_a_pdf_with_links_and_page_actions_that_run_nothing_is_kept(
    client: AsyncTestClient[Litestar], backend: Backend
) -> None:
    document = compressed_pdf(
        {
            **catalog(b"/OpenAction [3 0 R /Fit]"),
            3: PAGE_TREE[3].replace(b" >>", b" /Annots [4 0 R] >>"),
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /URI /URI (https://serangkab.go.id) >> >>",
        }
    )
    _, completed = await upload(client, await resident(client), document, PDF, "permit_document")
    assert completed.status_code == 200, completed.text
    [file] = completed.json()["files"]
    assert await fetch(client, file["url"]) == document
