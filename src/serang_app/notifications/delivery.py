"""The delivery worker's step: claim due push jobs, send to each live device, record what happened.

At least once: a job is claimed with a lease (`not_before` moved ahead) in a short transaction,
sent outside any transaction, then settled. A worker that dies between claim and settle leaves
the job to be claimed again once the lease runs out, so a push may repeat but is never lost; the
data payload carries the notification id for the app to drop a repeat. Devices that already
got this notification (`push_deliveries.result = 'sent'`) are skipped on a retry.

Residents' and staff's notifications alike: the recipient's phones are `devices` or
`staff_devices`, the language theirs, the payload's screen their app's.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from serang_app.bilingual import Text
from serang_app.cases.registry import WorkflowRegistry
from serang_app.db.pool import Database
from serang_app.health.series import PUSH_JOBS_SETTLED, PUSH_MESSAGES
from serang_app.notifications.devices import STALE_AFTER
from serang_app.notifications.push import PushMessage, PushOutcome, PushSender
from serang_app.notifications.subjects import GENERIC_TITLE, SUBJECT_COLUMNS, SUBJECT_JOINS, push_data, subject_of
from serang_app.notifications.texts import NotificationTexts

BATCH_SIZE = 200
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 3600.0

_CLAIM = """
WITH due AS (
    SELECT notification_id FROM push_jobs
    WHERE state = 'queued' AND not_before <= now()
    ORDER BY not_before
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE push_jobs j SET attempts = j.attempts + 1, not_before = now() + $2::interval
FROM due WHERE j.notification_id = due.notification_id
RETURNING j.notification_id, j.attempts
"""
# The recipient's language: a resident's, or a staff member's once chosen (Indonesian before).
_NOTIFICATIONS = f"""
SELECT n.id, n.case_id, n.source, n.template, n.params, n.recipient_kind, coalesce(r.locale, st.locale) AS locale,
       {SUBJECT_COLUMNS}
FROM notifications n
LEFT JOIN residents r ON n.recipient_kind = 'resident' AND r.id = n.recipient_id
LEFT JOIN staff st ON n.recipient_kind = 'staff' AND st.id = n.recipient_id
{SUBJECT_JOINS}
WHERE n.id = ANY($1::uuid[])
"""  # noqa: S608 (constant columns)
# Live devices of the recipients that have not had this notification yet: a resident's phones,
# or an active staff member's (a disabled account's phones get nothing, even those the disabling
# did not delete: an account disabled by the release before this one).
_DEVICES = """
SELECT n.id AS notification_id, d.installation_id, d.fcm_token
FROM notifications n
JOIN devices d ON n.recipient_kind = 'resident' AND d.resident_id = n.recipient_id
WHERE n.id = ANY($1::uuid[]) AND d.refreshed_at > now() - $2::interval
  AND NOT EXISTS (
      SELECT 1 FROM push_deliveries p
      WHERE p.notification_id = n.id AND p.installation_id = d.installation_id AND p.result = 'sent'
  )
UNION ALL
SELECT n.id, d.installation_id, d.fcm_token
FROM notifications n
JOIN staff_devices d ON n.recipient_kind = 'staff' AND d.staff_id = n.recipient_id
JOIN staff s ON s.id = d.staff_id AND s.is_active
WHERE n.id = ANY($1::uuid[]) AND d.refreshed_at > now() - $2::interval
  AND NOT EXISTS (
      SELECT 1 FROM push_deliveries p
      WHERE p.notification_id = n.id AND p.installation_id = d.installation_id AND p.result = 'sent'
  )
ORDER BY notification_id, installation_id
"""
# A token FCM no longer knows, wherever it is registered.
_FORGET_DEAD_DEVICE = """
WITH resident_device AS (DELETE FROM devices WHERE fcm_token = $1)
DELETE FROM staff_devices WHERE fcm_token = $1
"""
_RECORD = """
INSERT INTO push_deliveries (notification_id, installation_id, result) VALUES ($1, $2, $3)
ON CONFLICT (notification_id, installation_id) DO UPDATE SET result = excluded.result, at = now()
"""


@dataclass(frozen=True, slots=True)
class Delivery:
    sender: PushSender
    texts: NotificationTexts
    workflows: WorkflowRegistry
    max_attempts: int = MAX_ATTEMPTS
    # For links in pushes (an announcement's image): Settings.public_base_url.
    public_base_url: str = "http://127.0.0.1:8000"
    # Every push's title: service_title(the deployment's identity).
    title: Text = GENERIC_TITLE


async def deliver_due(database: Database, delivery: Delivery) -> int:
    """Deliver every due job, a batch at a time; returns how many jobs were settled."""
    total = 0
    while True:
        settled = await _deliver_batch(database, delivery)
        total += settled
        if settled < BATCH_SIZE:
            return total


async def _deliver_batch(database: Database, delivery: Delivery) -> int:
    async with database.acquire() as connection, connection.transaction():
        claimed = await connection.fetch(_CLAIM, BATCH_SIZE, LEASE)
    if not claimed:
        return 0
    ids = [row["notification_id"] for row in claimed]
    async with database.acquire() as connection:
        notifications = {row["id"]: row for row in await connection.fetch(_NOTIFICATIONS, ids)}
        devices = await connection.fetch(_DEVICES, ids, STALE_AFTER)
    messages = [_message(notifications[device["notification_id"]], device, delivery) for device in devices]
    outcomes = await delivery.sender.send(messages) if messages else []
    async with database.acquire() as connection, connection.transaction():
        await _settle(connection, claimed, devices, outcomes, delivery.max_attempts)
    return len(claimed)


def _message(notification: asyncpg.Record, device: asyncpg.Record, delivery: Delivery) -> PushMessage:
    locale = notification["locale"] or "id"
    params: dict[str, Any] = notification["params"] or {}
    status = params.get("status")
    status_title = (
        delivery.workflows.state_title(notification["module"], notification["workflow"], status)
        if status and notification["module"]
        else None
    )
    return PushMessage(
        token=device["fcm_token"],
        title=delivery.title.in_locale(locale),
        body=delivery.texts.render(notification["source"], notification["template"], params, locale, status_title),
        # What the inbox item carries too, so a tap on the push opens the same screen.
        data={
            **push_data(
                subject_of(notification, delivery.workflows, locale, delivery.title), notification["recipient_kind"]
            ),
            "notification_id": str(notification["id"]),
            "case_id": str(notification["case_id"] or ""),
        },
    )


async def _settle(
    connection: asyncpg.Connection,
    claimed: list[asyncpg.Record],
    devices: list[asyncpg.Record],
    outcomes: list[PushOutcome],
    max_attempts: int,
) -> None:
    retry_after: dict[uuid.UUID, float] = {}
    errors: dict[uuid.UUID, str] = {}
    for device, outcome in zip(devices, outcomes, strict=True):
        notification_id = device["notification_id"]
        PUSH_MESSAGES.labels("notification", outcome.result).inc()
        await connection.execute(_RECORD, notification_id, device["installation_id"], outcome.result)
        if outcome.result in ("token_gone", "token_invalid"):
            await connection.execute(_FORGET_DEAD_DEVICE, device["fcm_token"])
        elif outcome.result == "retry":
            retry_after[notification_id] = max(retry_after.get(notification_id, 0.0), outcome.retry_after or 0.0)
            errors[notification_id] = outcome.detail
    for job in claimed:
        notification_id = job["notification_id"]
        if notification_id not in retry_after:
            PUSH_JOBS_SETTLED.labels("done").inc()
            await connection.execute(
                "UPDATE push_jobs SET state = 'done', finished_at = now() WHERE notification_id = $1", notification_id
            )
        elif job["attempts"] >= max_attempts:
            PUSH_JOBS_SETTLED.labels("dead").inc()
            await connection.execute(
                """UPDATE push_jobs SET state = 'dead', finished_at = now(), last_error = $2
                   WHERE notification_id = $1""",
                notification_id,
                errors[notification_id],
            )
        else:
            PUSH_JOBS_SETTLED.labels("retry").inc()
            delay = max(retry_after[notification_id], backoff_seconds(job["attempts"]))
            await connection.execute(
                """UPDATE push_jobs SET not_before = now() + $2::interval, last_error = $3
                   WHERE notification_id = $1""",
                notification_id,
                timedelta(seconds=delay),
                errors[notification_id],
            )


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter: a random wait up to 5 s, 10 s, 20 s ... capped at an hour,
    so that a backlog after an outage does not come back all at once."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not a secret)
