"""FCM topics for announcements, and keeping each device's subscriptions in step.

Every device is subscribed to the regency's topic in its language and, when its resident has
chosen a district, to that district's topic in its language. An announcement is then one push
per topic (two for the regency, two per chosen district) however many phones there are, and
each phone gets it in its own language, once.

Subscriptions are made by the server, not by the app: a resident who moves district is moved
between topics without the app having to know. A device is checked when it registers (every app
start) and when its resident's district changes (`topics_due_at`); the worker's
`sync_device_topics` then subscribes and unsubscribes what differs, with a lease like push jobs,
so any number of workers can share the work and one that dies leaves it to the next.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from serang_app.db.pool import Database
from serang_app.notifications.push import TOKEN_GONE_CODES, PushSender

BATCH_SIZE = 500
LEASE = timedelta(seconds=60)
# A token FCM failed to (un)subscribe for a passing reason is tried again after this.
RETRY_AFTER = timedelta(seconds=30)
LOCALES = ("id", "en")


def regency_topic(locale: str) -> str:
    return f"regency-{locale}"


def district_topic(district_code: str, locale: str) -> str:
    # District codes (36.73.01) use only characters FCM allows in topic names.
    return f"district-{district_code}-{locale}"


def topics_for_audience(district_codes: list[str]) -> list[tuple[str, str]]:
    """(topic, locale) of every push an announcement needs: the regency's, or each district's."""
    if not district_codes:
        return [(regency_topic(locale), locale) for locale in LOCALES]
    return [(district_topic(code, locale), locale) for code in district_codes for locale in LOCALES]


def wanted_topics(district_code: str | None, locale: str) -> frozenset[str]:
    wanted = {regency_topic(locale)}
    if district_code is not None:
        wanted.add(district_topic(district_code, locale))
    return frozenset(wanted)


async def recheck_topics(connection: asyncpg.Connection, resident_id: uuid.UUID) -> None:
    """The resident's district changed: their devices' topics are checked again soon."""
    await connection.execute("UPDATE devices SET topics_due_at = now() WHERE resident_id = $1", resident_id)


_CLAIM = """
WITH due AS (
    SELECT installation_id FROM devices
    WHERE topics_due_at <= now()
    ORDER BY topics_due_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE devices d SET topics_due_at = now() + $2::interval
FROM due, residents r
WHERE d.installation_id = due.installation_id AND r.id = d.resident_id
RETURNING d.installation_id, d.fcm_token, d.topics, d.locale, r.district_code, d.topics_due_at AS lease
"""
# Settled only if the device still has the token that was (un)subscribed; a registration or a
# district change during the round moved `topics_due_at` on, so the device is checked again.
_SETTLE = """
UPDATE devices SET topics = $3,
    topics_due_at = CASE WHEN topics_due_at = $4 THEN
                             CASE WHEN $5 THEN now() + $6::interval ELSE NULL END
                         ELSE topics_due_at END
WHERE installation_id = $1 AND fcm_token = $2
"""


@dataclass(slots=True)
class _DeviceRound:
    record: asyncpg.Record
    topics: set[str]
    gone: bool = False
    retry: bool = False


async def sync_device_topics(database: Database, sender: PushSender) -> int:
    """Bring every due device's subscriptions in step; returns how many devices were checked."""
    total = 0
    while True:
        checked = await _sync_batch(database, sender)
        total += checked
        if checked < BATCH_SIZE:
            return total


async def _sync_batch(database: Database, sender: PushSender) -> int:
    async with database.acquire() as connection, connection.transaction():
        claimed = await connection.fetch(_CLAIM, BATCH_SIZE, LEASE)
    if not claimed:
        return 0
    rounds = [_DeviceRound(record=row, topics=set(row["topics"])) for row in claimed]
    # One call per (topic, subscribe or not) with every token that needs it.
    wanted_changes: dict[tuple[str, bool], list[_DeviceRound]] = defaultdict(list)
    for device in rounds:
        wanted = wanted_topics(device.record["district_code"], device.record["locale"])
        for topic in sorted(wanted - device.topics):
            wanted_changes[(topic, True)].append(device)
        for topic in sorted(device.topics - wanted):
            wanted_changes[(topic, False)].append(device)
    for (topic, subscribe), devices in wanted_changes.items():
        codes = await sender.change_topic([d.record["fcm_token"] for d in devices], topic, subscribe=subscribe)
        for device, code in zip(devices, codes, strict=True):
            if code is None:
                (device.topics.add if subscribe else device.topics.discard)(topic)
            elif code in TOKEN_GONE_CODES:
                device.gone = True
            else:
                device.retry = True
    async with database.acquire() as connection, connection.transaction():
        for device in rounds:
            installation_id, token = device.record["installation_id"], device.record["fcm_token"]
            if device.gone:
                await connection.execute(
                    "DELETE FROM devices WHERE installation_id = $1 AND fcm_token = $2", installation_id, token
                )
                continue
            await connection.execute(
                _SETTLE,
                installation_id,
                token,
                sorted(device.topics),
                device.record["lease"],
                device.retry,
                RETRY_AFTER,
            )
    return len(claimed)
