"""The worker's step for announcements: claim due topic pushes, send them, settle each.

The same discipline as notifications/delivery.py: claimed with a lease in a short transaction,
sent outside any transaction, settled after; retried with backoff (honouring Retry-After) and
dead after MAX_ATTEMPTS, visible to admins in GET /v1/admin/announcements.
"""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from serang_app.announcements.service import image_url
from serang_app.db.pool import Database
from serang_app.health.series import PUSH_MESSAGES
from serang_app.notifications.delivery import LEASE, MAX_ATTEMPTS, backoff_seconds
from serang_app.notifications.push import PushOutcome, PushSender, TopicPush

BATCH_SIZE = 100

_CLAIM = """
WITH due AS (
    SELECT announcement_id, topic FROM announcement_pushes
    WHERE state = 'queued' AND not_before <= now()
    ORDER BY not_before
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE announcement_pushes p SET attempts = p.attempts + 1, not_before = now() + $2::interval
FROM due WHERE p.announcement_id = due.announcement_id AND p.topic = due.topic
RETURNING p.announcement_id, p.topic, p.locale, p.attempts
"""
_ANNOUNCEMENTS = """
SELECT id, title, body, image_upload_id FROM announcements
WHERE id = ANY($1::uuid[]) AND withdrawn_at IS NULL
"""
# Only a push still queued is settled: one withdrawn meanwhile stays withdrawn.
_SETTLE = """
UPDATE announcement_pushes SET state = $3, finished_at = CASE WHEN $3 = 'queued' THEN NULL ELSE now() END,
    not_before = now() + $4::interval, last_error = $5
WHERE announcement_id = $1 AND topic = $2 AND state = 'queued'
"""


async def deliver_announcements(
    database: Database, sender: PushSender, public_base_url: str, *, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Send every due topic push, a batch at a time; returns how many were settled."""
    total = 0
    while True:
        settled = await _deliver_batch(database, sender, public_base_url, max_attempts)
        total += settled
        if settled < BATCH_SIZE:
            return total


async def _deliver_batch(database: Database, sender: PushSender, public_base_url: str, max_attempts: int) -> int:
    async with database.acquire() as connection, connection.transaction():
        claimed = await connection.fetch(_CLAIM, BATCH_SIZE, LEASE)
    if not claimed:
        return 0
    async with database.acquire() as connection:
        rows = await connection.fetch(_ANNOUNCEMENTS, list({push["announcement_id"] for push in claimed}))
    announcements = {row["id"]: row for row in rows}
    # A push of an announcement withdrawn after the claim is not sent.
    to_send = [push for push in claimed if push["announcement_id"] in announcements]
    messages = [_message(announcements[push["announcement_id"]], push, public_base_url) for push in to_send]
    outcomes = await sender.send_to_topics(messages) if messages else []
    async with database.acquire() as connection, connection.transaction():
        for push, outcome in zip(to_send, outcomes, strict=True):
            await _settle(connection, push, outcome, max_attempts)
    return len(claimed)


def _message(announcement: asyncpg.Record, push: asyncpg.Record, public_base_url: str) -> TopicPush:
    locale = push["locale"]
    return TopicPush(
        topic=push["topic"],
        title=announcement["title"][locale],
        body=announcement["body"][locale],
        image_url=image_url(public_base_url, announcement["id"]) if announcement["image_upload_id"] else None,
        data={"kind": "announcement", "announcement_id": str(announcement["id"])},
    )


async def _settle(
    connection: asyncpg.Connection, push: asyncpg.Record, outcome: PushOutcome, max_attempts: int
) -> None:
    key = (push["announcement_id"], push["topic"])
    PUSH_MESSAGES.labels("announcement", outcome.result).inc()
    if outcome.result == "sent":
        await connection.execute(_SETTLE, *key, "done", timedelta(0), None)
    elif outcome.result == "retry" and push["attempts"] < max_attempts:
        delay = max(outcome.retry_after or 0.0, backoff_seconds(push["attempts"]))
        await connection.execute(_SETTLE, *key, "queued", timedelta(seconds=delay), outcome.detail)
    else:  # refused for good, or out of attempts
        await connection.execute(_SETTLE, *key, "dead", timedelta(0), outcome.detail or outcome.result)
