"""The delivery worker: outbox rows to pushes through firebase-admin and a local FCM stand-in."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.cases.events import notify_resident
from serang_app.cases.registry import WorkflowRegistry
from serang_app.db.pool import Database, open_database
from serang_app.domains import CORE_DOMAINS
from serang_app.module_system.spec import ModuleSpec
from serang_app.notifications.delivery import Delivery, deliver_due
from serang_app.notifications.fcm import FcmSender
from serang_app.notifications.texts import NotificationTexts
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.fake_google import FakeGoogle
from tests.support.lamps_module import LAMPS

TOKENS = ("fcm-token-phone-aaaaaaaaaaaa", "fcm-token-tablet-bbbbbbbbbbb")


@pytest.fixture
def delivery(google: FakeGoogle) -> Iterator[Delivery]:
    sender = FcmSender(str(google.credentials_file), api_url=google.fcm_url)
    yield Delivery(
        sender=sender,
        texts=NotificationTexts(CORE_DOMAINS, [LAMPS]),
        workflows=WorkflowRegistry([LAMPS]),
        max_attempts=3,
    )
    sender.close()


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [LAMPS]


@dataclass(frozen=True)
class Rig:
    """What a delivery test works with: the app's client, the database (the app's pool and a plain
    connection), the delivery step, and the FCM stand-in it sends to."""

    client: AsyncTestClient[Litestar]
    database_url: str
    database: Database
    delivery: Delivery
    google: FakeGoogle
    db: asyncpg.Connection


@pytest.fixture
def rig(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> Rig:
    return Rig(client, database_url, app_database, delivery, google, db)


async def started_case(client: Any, database_url: str, locale: str = "id") -> tuple[dict[str, str], str, str]:
    """A resident with two phones whose case an officer has just started (one notification)."""
    citizen = bearer(await resident_tokens(client, f"+62816{uuid.uuid4().int % 10**8:08d}"))
    await client.patch("/v1/me", json={"locale": locale}, headers=citizen)
    for number, token in enumerate(TOKENS):
        registration = {"fcm_token": token, "platform": "android", "app_version": "1.0.0", "locale": locale}
        assert (
            await client.put(f"/v1/me/devices/install-000{number}", json=registration, headers=citizen)
        ).status_code == 200
    created = (await client.post("/v1/lamps/requests", json={"pole_number": "PJU-5"}, headers=citizen)).json()
    # Signed up after the case was opened, so the agency's new-case notice is nobody's: one notification.
    officer = await signed_in_staff(client, database_url, "officer")
    started = await client.post(f"/v1/cases/{created['case_id']}/actions/start", headers={**officer, "If-Match": '"1"'})
    assert started.status_code == 200
    return citizen, created["case_id"], created["reference"]


async def test_a_transition_pushes_once_to_each_live_phone_in_the_residents_language(
    rig: Rig,
) -> None:
    citizen, case_id, reference = await started_case(rig.client, rig.database_url, locale="en")
    inbox = (await rig.client.get("/v1/me/notifications", headers=citizen)).json()
    assert len(inbox["items"]) == 1
    assert await deliver_due(rig.database, rig.delivery) == 1
    assert sorted(message["token"] for message in rig.google.fcm_sent) == sorted(TOKENS)
    assert {message["notification"]["body"] for message in rig.google.fcm_sent} == {
        f"Lamp {reference} is being repaired."
    }
    assert {message["data"]["notification_id"] for message in rig.google.fcm_sent} == {inbox["items"][0]["id"]}
    assert {message["data"]["case_id"] for message in rig.google.fcm_sent} == {case_id}
    # Nothing more to do: a second run sends nothing.
    assert await deliver_due(rig.database, rig.delivery) == 0
    assert len(rig.google.fcm_sent) == 2
    assert await rig.db.fetchval("SELECT state FROM push_jobs") == "done"


async def test_a_rolled_back_change_pushes_nothing_and_a_dead_worker_loses_nothing(
    rig: Rig,
) -> None:
    await started_case(rig.client, rig.database_url)
    # A change that rolls back takes its notification and job with it.
    notification_count = await rig.db.fetchval("SELECT count(*) FROM notifications")
    transaction = rig.db.transaction()
    await transaction.start()
    await rig.db.execute(
        """WITH n AS (INSERT INTO notifications (recipient_kind, recipient_id, source, template)
                      SELECT 'resident', id, 'core', 'case.comment' FROM residents LIMIT 1 RETURNING id)
           INSERT INTO push_jobs (notification_id) SELECT id FROM n"""
    )
    await transaction.rollback()
    assert await rig.db.fetchval("SELECT count(*) FROM notifications") == notification_count
    # A worker that claimed the job and died before sending: the lease keeps others off for a
    # minute, then a new worker sends it.
    await rig.db.execute("UPDATE push_jobs SET attempts = 1, not_before = now() + interval '60 seconds'")
    assert await deliver_due(rig.database, rig.delivery) == 0
    await rig.db.execute("UPDATE push_jobs SET not_before = now() - interval '1 second'")
    assert await deliver_due(rig.database, rig.delivery) == 1
    assert len(rig.google.fcm_sent) == 2


async def test_token_errors_retries_and_dead_letters(
    rig: Rig,
) -> None:
    await started_case(rig.client, rig.database_url)
    rig.google.fcm_outcomes[TOKENS[0]] = ["unregistered"]
    rig.google.fcm_outcomes[TOKENS[1]] = ["unavailable"]
    rig.google.fcm_retry_after = "30"
    await deliver_due(rig.database, rig.delivery)
    # The unregistered token is gone; the unavailable one waits at least its Retry-After.
    assert [row["fcm_token"] for row in await rig.db.fetch("SELECT fcm_token FROM devices")] == [TOKENS[1]]
    job = await rig.db.fetchrow("SELECT state, attempts, not_before - now() AS wait FROM push_jobs")
    assert job is not None
    assert (job["state"], job["attempts"]) == ("queued", 1)
    assert job["wait"].total_seconds() > 25
    await rig.db.execute("UPDATE push_jobs SET not_before = now()")
    await deliver_due(rig.database, rig.delivery)
    assert [message["token"] for message in rig.google.fcm_sent] == [TOKENS[1]]
    assert await rig.db.fetchval("SELECT state FROM push_jobs") == "done"
    # A second case whose only phone keeps failing is dead-lettered after max_attempts (3).
    await started_case(rig.client, rig.database_url)
    rig.google.fcm_outcomes = {token: ["internal"] * 10 for token in TOKENS}
    for _ in range(3):
        await rig.db.execute("UPDATE push_jobs SET not_before = now() WHERE state = 'queued'")
        await deliver_due(rig.database, rig.delivery)
    dead = await rig.db.fetchrow(
        "SELECT notification_id, state, attempts, last_error FROM push_jobs WHERE state <> 'done'"
    )
    assert dead is not None
    assert (dead["state"], dead["attempts"], dead["last_error"]) == ("dead", 3, "InternalError")
    # Admins see it and send it again once FCM behaves.
    admin = await signed_in_staff(rig.client, rig.database_url, "admin", None)
    failures = (await rig.client.get("/v1/admin/push-failures", headers=admin)).json()["items"]
    assert [item["notification_id"] for item in failures] == [str(dead["notification_id"])]
    retry = f"/v1/admin/push-failures/{dead['notification_id']}/retry"
    assert (await rig.client.post(retry, headers=admin)).status_code == 204
    assert (await rig.client.post(retry, headers=admin)).status_code == 404  # no longer dead
    rig.google.fcm_outcomes = {}
    sent_before = len(rig.google.fcm_sent)
    await deliver_due(rig.database, rig.delivery)
    assert len(rig.google.fcm_sent) == sent_before + 2
    assert await rig.db.fetchval("SELECT count(*) FROM push_jobs WHERE state = 'dead'") == 0


async def test_two_workers_send_a_backlog_exactly_once_after_fcm_comes_back(
    client: AsyncTestClient[Litestar],
    database_url: str,
    delivery: Delivery,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    citizen = bearer(await resident_tokens(client, "+6281611110001"))
    registration = {"fcm_token": TOKENS[0], "platform": "ios", "app_version": "1.0.0", "locale": "id"}
    await client.put("/v1/me/devices/install-0100", json=registration, headers=citizen)
    await db.execute(
        """WITH n AS (INSERT INTO notifications (recipient_kind, recipient_id, source, template, params)
                      SELECT 'resident', id, 'core', 'case.comment', jsonb_build_object('reference', 'ADU-' || g)
                      FROM residents, generate_series(1, 1000) AS g WHERE phone = '+6281611110001'
                      RETURNING id)
           INSERT INTO push_jobs (notification_id) SELECT id FROM n"""
    )
    # FCM is down for the first 50 sends: those jobs wait and are retried; nothing is lost.
    google.fcm_outcomes[TOKENS[0]] = ["unavailable"] * 50
    google.fcm_retry_after = "0"
    pools = [await open_database(database_url, min_size=1, max_size=2, connect_timeout=5) for _ in range(2)]
    try:
        for _ in range(5):
            await asyncio.gather(*(deliver_due(pool, delivery) for pool in pools))
            await db.execute("UPDATE push_jobs SET not_before = now() WHERE state = 'queued'")
    finally:
        for pool in pools:
            await pool.close()
    sent = Counter(message["data"]["notification_id"] for message in google.fcm_sent)
    assert len(sent) == 1000
    assert set(sent.values()) == {1}
    assert await db.fetchval("SELECT count(*) FROM push_jobs WHERE state = 'done'") == 1000


async def test_a_scheduled_notification_waits_for_its_time(
    rig: Rig,
) -> None:
    citizen, case_id, _ = await started_case(rig.client, rig.database_url)
    await deliver_due(rig.database, rig.delivery)
    sent_before = len(rig.google.fcm_sent)
    resident_id = await rig.db.fetchval("SELECT resident_id FROM cases WHERE id = $1", uuid.UUID(case_id))
    reminder_at = datetime.now(UTC) + timedelta(hours=2)
    async with rig.database.acquire() as connection:  # the app's pool: it encodes the params as JSON
        await notify_resident(
            connection,
            resident_id,
            uuid.UUID(case_id),
            source="core",
            template="case.comment",
            params={},
            at=reminder_at,
        )
    assert await deliver_due(rig.database, rig.delivery) == 0
    inbox = (await rig.client.get("/v1/me/notifications", headers=citizen)).json()
    assert (len(inbox["items"]), inbox["unread_count"]) == (1, 1)  # the reminder is not shown yet
    await rig.db.execute("UPDATE notifications SET created_at = now() WHERE created_at > now()")
    await rig.db.execute("UPDATE push_jobs SET not_before = now() WHERE state = 'queued'")
    assert await deliver_due(rig.database, rig.delivery) == 1
    assert len(rig.google.fcm_sent) == sent_before + 2
    assert (await rig.client.get("/v1/me/notifications", headers=citizen)).json()["unread_count"] == 2
