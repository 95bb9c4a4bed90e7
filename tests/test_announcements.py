"""Broadcasts: announcements in the feed and pushed through FCM topics per district and language,
with firebase-admin's real code path talking to the local FCM stand-in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.announcements.delivery import deliver_announcements
from serang_app.announcements.topics import sync_device_topics
from serang_app.db.pool import Database
from serang_app.notifications.fcm import FcmSender
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.fake_google import FakeGoogle
from tests.support.uploading import photo_with_gps, upload

KRAMATWATU = "36.04.05"
BASE = "https://layanan.serangkab.go.id"


@pytest.fixture
def sender(google: FakeGoogle) -> Iterator[FcmSender]:
    fcm = FcmSender(str(google.credentials_file), api_url=google.fcm_url)
    yield fcm
    fcm.close()


async def some_district(db: asyncpg.Connection, other_than: str) -> str:
    code: str = await db.fetchval(
        "SELECT code FROM regions WHERE level = 'district' AND code <> $1 ORDER BY code LIMIT 1", other_than
    )
    return code


async def phone_of(client: Any, token: str, *, locale: str = "id", district: str | None = KRAMATWATU) -> dict[str, str]:
    """A resident living in `district` with one phone registered under `token`."""
    citizen = bearer(await resident_tokens(client, f"+62817{uuid.uuid4().int % 10**8:08d}"))
    if district is not None:
        assert (await client.patch("/v1/me", json={"district_code": district}, headers=citizen)).status_code == 200
    registration = {"fcm_token": token, "platform": "android", "app_version": "1.0.0", "locale": locale}
    installation = f"install-{uuid.uuid4().hex[:12]}"
    assert (await client.put(f"/v1/me/devices/{installation}", json=registration, headers=citizen)).status_code == 200
    return citizen


# --- topics -------------------------------------------------------------------------------------


async def test_phones_join_their_district_and_language_topics_and_move_with_the_resident(
    client: AsyncTestClient[Litestar],
    app_database: Database,
    sender: FcmSender,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    token = "fcm-token-topics-aaaaaaaaaaaa"
    citizen = await phone_of(client, token, locale="en")
    assert await sync_device_topics(app_database, sender) == 1
    assert google.topics_of(token) == {"regency-en", f"district-{KRAMATWATU}-en"}
    # In step: nothing to check until the phone registers again or the resident moves.
    assert await sync_device_topics(app_database, sender) == 0
    moved_to = await some_district(db, KRAMATWATU)
    assert (await client.patch("/v1/me", json={"district_code": moved_to}, headers=citizen)).status_code == 200
    assert await sync_device_topics(app_database, sender) == 1
    assert google.topics_of(token) == {"regency-en", f"district-{moved_to}-en"}
    assert await db.fetchval("SELECT topics FROM devices WHERE fcm_token = $1", token) == sorted(
        {"regency-en", f"district-{moved_to}-en"}
    )
    # A resident with no district yet hears the regency's announcements only.
    lone = "fcm-token-topics-bbbbbbbbbbbb"
    await phone_of(client, lone, district=None)
    await sync_device_topics(app_database, sender)
    assert google.topics_of(lone) == {"regency-id"}


async def test_a_token_fcm_no_longer_knows_is_removed_and_a_passing_failure_is_retried(
    client: AsyncTestClient[Litestar],
    app_database: Database,
    sender: FcmSender,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    gone, flaky = "fcm-token-topics-gone-aaaaaaaa", "fcm-token-topics-flaky-aaaaaaa"
    await phone_of(client, gone)
    await phone_of(client, flaky)
    google.topic_outcomes[gone] = ["unregistered"]
    google.topic_outcomes[flaky] = ["unavailable"]
    await sync_device_topics(app_database, sender)
    assert await db.fetchval("SELECT count(*) FROM devices WHERE fcm_token = $1", gone) == 0
    # One of its two subscriptions failed: the one that worked is kept, the other tried later.
    row = await db.fetchrow("SELECT topics, topics_due_at FROM devices WHERE fcm_token = $1", flaky)
    assert row is not None
    assert len(row["topics"]) == 1
    assert row["topics_due_at"] > datetime.now(UTC) + timedelta(seconds=20)
    await db.execute("UPDATE devices SET topics_due_at = now() WHERE fcm_token = $1", flaky)
    assert await sync_device_topics(app_database, sender) == 1
    assert google.topics_of(flaky) == {"regency-id", f"district-{KRAMATWATU}-id"}
    assert await db.fetchval("SELECT topics_due_at FROM devices WHERE fcm_token = $1", flaky) is None


# --- publishing, the feed, the pushes -----------------------------------------------------------


def draft(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": {"id": "Pemadaman listrik terjadwal", "en": "Scheduled power cut"},
        "body": {"id": "Sabtu pukul 08.00-12.00 WIB.", "en": "Saturday from 08:00 to 12:00 WIB."},
    }
    body.update(changes)
    return body


async def test_an_announcement_reaches_its_districts_feed_and_topics_in_each_language(
    client: AsyncTestClient[Litestar], database_url: str, app_database: Database, sender: FcmSender, google: FakeGoogle
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    image_id, completed = await upload(client, admin, photo_with_gps(), purpose="announcement_image")
    assert completed.status_code == 200, completed.text
    local = await client.post(
        "/v1/admin/announcements", json=draft(district_codes=[KRAMATWATU], image_upload_id=image_id), headers=admin
    )
    assert local.status_code == 201, local.text
    published = local.json()
    assert published["district_codes"] == [KRAMATWATU]
    assert published["image_url"] == f"http://testserver.local/v1/announcements/{published['id']}/image"
    assert sorted(push["topic"] for push in published["pushes"]) == [
        f"district-{KRAMATWATU}-en",
        f"district-{KRAMATWATU}-id",
    ]
    everyone = await client.post(
        "/v1/admin/announcements", json=draft(title={"id": "Umum", "en": "General"}), headers=admin
    )
    assert everyone.status_code == 201, everyone.text
    # The feed: a district sees its own and the regency's; elsewhere only the regency's.
    here = await client.get("/v1/announcements", params={"district": KRAMATWATU})
    assert [item["id"] for item in here.json()["items"]] == [everyone.json()["id"], published["id"]]
    elsewhere = await client.get("/v1/announcements", params={"district": "36.04.06"})
    assert [item["id"] for item in elsewhere.json()["items"]] == [everyone.json()["id"]]
    assert [item["id"] for item in (await client.get("/v1/announcements")).json()["items"]] == [everyone.json()["id"]]
    assert here.headers["cache-control"] == "public, max-age=60"
    unchanged = await client.get(
        "/v1/announcements", params={"district": KRAMATWATU}, headers={"If-None-Match": here.headers["etag"]}
    )
    assert unchanged.status_code == 304
    image = await client.get(f"/v1/announcements/{published['id']}/image", follow_redirects=False)
    assert image.status_code == 307
    assert image.headers["x-content-type-options"] == "nosniff"
    served = await client.get(image.headers["location"])
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    # The pushes: one per topic, each in its language, the image linked through the public URL.
    assert await deliver_announcements(app_database, sender, BASE) == 4
    indonesian = google.topic_pushes(f"district-{KRAMATWATU}-id")
    english = google.topic_pushes(f"district-{KRAMATWATU}-en")
    assert [push["notification"]["title"] for push in indonesian] == ["Pemadaman listrik terjadwal"]
    assert [push["notification"]["title"] for push in english] == ["Scheduled power cut"]
    assert english[0]["notification"]["image"] == f"{BASE}/v1/announcements/{published['id']}/image"
    assert english[0]["data"] == {"kind": "announcement", "announcement_id": published["id"]}
    assert [push["notification"]["title"] for push in google.topic_pushes("regency-en")] == ["General"]
    assert await deliver_announcements(app_database, sender, BASE) == 0
    listed = (await client.get("/v1/admin/announcements", headers=admin)).json()["items"]
    assert {push["state"] for item in listed for push in item["pushes"]} == {"done"}
    # Withdrawn: out of the feed at once, its image gone; withdrawing again changes nothing.
    assert (await client.delete(f"/v1/admin/announcements/{published['id']}", headers=admin)).status_code == 204
    assert (await client.delete(f"/v1/admin/announcements/{published['id']}", headers=admin)).status_code == 204
    after = await client.get("/v1/announcements", params={"district": KRAMATWATU})
    assert [item["id"] for item in after.json()["items"]] == [everyone.json()["id"]]
    assert (await client.get(f"/v1/announcements/{published['id']}/image")).status_code == 404
    assert (await client.delete(f"/v1/admin/announcements/{uuid.uuid4()}", headers=admin)).status_code == 404


async def test_only_admins_publish_and_bad_announcements_are_refused_with_the_field_named(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer")
    citizen = bearer(await resident_tokens(client, "+6281711110001"))
    for outsider in (officer, citizen):
        assert (await client.post("/v1/admin/announcements", json=draft(), headers=outsider)).status_code == 403
        assert (await client.get("/v1/admin/announcements", headers=outsider)).status_code == 403
    assert (await client.post("/v1/admin/announcements", json=draft())).status_code == 401
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    refused = {
        "unknown district": (draft(district_codes=["36.04.99"]), "district_codes"),
        "a district twice": (draft(district_codes=[KRAMATWATU, KRAMATWATU]), "district_codes"),
        "not a district": (draft(district_codes=["36.04.05.2001"]), "district_codes[0]"),
        "ended": (draft(ends_at=yesterday), "ends_at"),
        "long title": (draft(title={"id": "x" * 81, "en": "x"}), "title.id"),
        "no english": (draft(title={"id": "Judul"}), "title.en"),
    }
    for name, (body, field) in refused.items():
        answer = await client.post("/v1/admin/announcements", json=body, headers=admin)
        assert answer.status_code == 422, name
        assert [error["field"] for error in answer.json()["errors"]] == [field], name
    assert (await client.post("/v1/admin/announcements", json=draft(pin=True), headers=admin)).status_code == 422
    # Someone else's image, or one that is not an announcement image, is not found.
    photo_id, _ = await upload(client, citizen, photo_with_gps())
    taken = await client.post("/v1/admin/announcements", json=draft(image_upload_id=photo_id), headers=admin)
    assert taken.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM announcements") == 0
    # An announcement past its end leaves the feed by itself.
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = await client.post("/v1/admin/announcements", json=draft(ends_at=soon), headers=admin)
    assert created.status_code == 201
    await db.execute("UPDATE announcements SET ends_at = now() - interval '1 second'")
    assert (await client.get("/v1/announcements", params={"limit": 50})).json()["items"] == []
    actions = await db.fetch("SELECT action FROM audit_log WHERE object_type = 'announcement'")
    assert [row["action"] for row in actions] == ["announcement.published"]


async def test_a_failing_topic_push_is_retried_and_then_given_up_for_admins_to_see(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    sender: FcmSender,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    assert (await client.post("/v1/admin/announcements", json=draft(), headers=admin)).status_code == 201
    google.fcm_outcomes["regency-id"] = ["unavailable"] * 3
    google.fcm_retry_after = "120"
    assert await deliver_announcements(app_database, sender, BASE, max_attempts=3) == 2
    waiting = await db.fetchrow(
        "SELECT state, not_before, last_error FROM announcement_pushes WHERE topic = 'regency-id'"
    )
    assert waiting is not None
    assert waiting["state"] == "queued"
    assert waiting["not_before"] > datetime.now(UTC) + timedelta(seconds=100)  # FCM's Retry-After
    assert google.topic_pushes("regency-en") != []
    for _ in range(2):
        await db.execute("UPDATE announcement_pushes SET not_before = now() WHERE state = 'queued'")
        await deliver_announcements(app_database, sender, BASE, max_attempts=3)
    listed = (await client.get("/v1/admin/announcements", headers=admin)).json()["items"][0]["pushes"]
    states = {push["topic"]: (push["state"], push["attempts"], push["last_error"]) for push in listed}
    assert states == {"regency-en": ("done", 1, None), "regency-id": ("dead", 3, "UnavailableError")}
    assert google.topic_pushes("regency-id") == []
