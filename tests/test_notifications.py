"""The in-app inbox and device registration (push delivery itself is issue 6's next step)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.notifications.devices import live_tokens
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.lamps_module import LAMPS

TOKEN_A = "fcm-token-aaaaaaaaaaaaaaaaaaaaaaaa"
TOKEN_B = "fcm-token-bbbbbbbbbbbbbbbbbbbbbbbb"


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [LAMPS]


async def resident(client: Any, phone: str) -> dict[str, str]:
    return bearer(await resident_tokens(client, phone))


def registration(token: str, locale: str = "id") -> dict[str, str]:
    return {"fcm_token": token, "platform": "android", "app_version": "1.4.2", "locale": locale}


async def resident_id(db: asyncpg.Connection, phone: str) -> uuid.UUID:
    found: uuid.UUID = await db.fetchval("SELECT id FROM residents WHERE phone = $1", phone)
    return found


# --- devices --------------------------------------------------------------------------------------


async def test_a_phone_registers_refreshes_moves_and_signs_out(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    siti = await resident(client, "+6281511110001")
    budi = await resident(client, "+6281511110002")
    put = await client.put("/v1/me/devices/install-0001", json=registration(TOKEN_A), headers=siti)
    assert put.status_code == 200
    assert put.json() == {
        "installation_id": "install-0001",
        "platform": "android",
        "app_version": "1.4.2",
        "locale": "id",
    }
    # A refreshed token replaces the old one for the same installation.
    await client.put("/v1/me/devices/install-0001", json=registration(TOKEN_B, "en"), headers=siti)
    siti_id = await resident_id(db, "+6281511110001")
    assert [(row["fcm_token"], row["locale"]) for row in await live_tokens(db, siti_id)] == [(TOKEN_B, "en")]
    # The same token registered by another account (another installation) moves to it.
    await client.put("/v1/me/devices/install-0002", json=registration(TOKEN_B), headers=budi)
    assert await live_tokens(db, siti_id) == []
    budi_id = await resident_id(db, "+6281511110002")
    assert [row["installation_id"] for row in await live_tokens(db, budi_id)] == ["install-0002"]
    # Only the owner signs a phone out.
    assert (await client.delete("/v1/me/devices/install-0002", headers=siti)).status_code == 404
    assert (await client.delete("/v1/me/devices/install-0002", headers=budi)).status_code == 204
    assert await live_tokens(db, budi_id) == []


async def test_tokens_not_refreshed_for_60_days_are_not_used(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    siti = await resident(client, "+6281511110003")
    await client.put("/v1/me/devices/install-0003", json=registration(TOKEN_A), headers=siti)
    await client.put("/v1/me/devices/install-0004", json=registration(TOKEN_B), headers=siti)
    await db.execute(
        "UPDATE devices SET refreshed_at = $1 WHERE installation_id = 'install-0003'",
        datetime.now(UTC) - timedelta(days=61),
    )
    siti_id = await resident_id(db, "+6281511110003")
    assert [row["installation_id"] for row in await live_tokens(db, siti_id)] == ["install-0004"]


@pytest.mark.parametrize(
    ("installation_id", "body"),
    [
        ("short", registration(TOKEN_A)),
        ("install-0005", {**registration(TOKEN_A), "platform": "symbian"}),
        ("install-0005", {**registration("short"), "locale": "id"}),
        ("install-0005", {**registration(TOKEN_A), "owner": "someone"}),
    ],
)
async def test_bad_registrations_answer_422(
    client: AsyncTestClient[Litestar], installation_id: str, body: dict[str, str]
) -> None:
    siti = await resident(client, "+6281511110004")
    assert (await client.put(f"/v1/me/devices/{installation_id}", json=body, headers=siti)).status_code == 422


# --- the inbox ------------------------------------------------------------------------------------


async def test_the_inbox_shows_each_notification_in_my_language_and_counts_unread(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    siti = await resident(client, "+6281511110005")
    officer = await signed_in_staff(client, database_url, "officer")
    created = (await client.post("/v1/lamps/requests", json={"pole_number": "PJU-1"}, headers=siti)).json()
    case_id, reference = created["case_id"], created["reference"]
    started = await client.post(f"/v1/cases/{case_id}/actions/start", headers={**officer, "If-Match": '"1"'})
    assert started.status_code == 200
    await client.post(
        f"/v1/staff/cases/{case_id}/comments", json={"body": "Teknisi berangkat.", "public": True}, headers=officer
    )
    inbox = (await client.get("/v1/me/notifications", headers=siti)).json()
    assert inbox["unread_count"] == 2
    assert [item["message"] for item in inbox["items"]] == [
        f"Ada tanggapan baru pada permohonan {reference}.",
        f"Lampu {reference} sedang diperbaiki.",
    ]
    assert {item["case_id"] for item in inbox["items"]} == {case_id}
    # In English once the resident chooses English.
    assert (await client.patch("/v1/me", json={"locale": "en"}, headers=siti)).status_code == 200
    english = (await client.get("/v1/me/notifications", params={"limit": "1"}, headers=siti)).json()
    assert english["items"][0]["message"] == f"There is a new reply on your request {reference}."
    rest = await client.get(
        "/v1/me/notifications", params={"limit": "1", "cursor": english["next_cursor"]}, headers=siti
    )
    assert rest.json()["items"][0]["message"] == f"Lamp {reference} is being repaired."
    assert rest.json()["next_cursor"] is None
    # Reading: by id, then everything; another resident's inbox is untouched and empty.
    first_id = inbox["items"][0]["id"]
    read = await client.post("/v1/me/notifications/read", json={"ids": [first_id]}, headers=siti)
    assert read.json() == {"unread_count": 1}
    budi = await resident(client, "+6281511110006")
    assert (await client.post("/v1/me/notifications/read-all", headers=budi)).json() == {"unread_count": 0}
    assert (await client.get("/v1/me/notifications", headers=budi)).json()["items"] == []
    assert (await client.post("/v1/me/notifications/read-all", headers=siti)).json() == {"unread_count": 0}
    assert (await client.get("/v1/me/notifications", headers=officer)).status_code == 403
