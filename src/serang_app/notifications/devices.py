"""Registering the phones a resident uses, with their FCM tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Literal

import asyncpg
import msgspec

from serang_app.http.problems import ApiError
from serang_app.notifications.language import resident_locale, set_resident_locale

# Tokens the app has not refreshed for this long belong to phones no longer in use (FCM's own
# guidance: a token unused for a month or two is stale).
STALE_AFTER = timedelta(days=60)
INSTALLATION_ID_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"


# What a phone sends to register, residents' and staff's alike.
FcmToken = Annotated[str, msgspec.Meta(min_length=20, max_length=4096, pattern=r"^[!-~]+$")]
Platform = Literal["android", "ios"]
AppVersion = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.+_-]+$")]


class DeviceRegistration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    fcm_token: FcmToken
    platform: Platform
    app_version: AppVersion
    # Kept for apps written before one language per resident (notifications/language.py): when sent,
    # it becomes the resident's language, the profile's and every device's; left out, the phone
    # speaks the profile's language. New apps change language with PATCH /v1/me only.
    locale: Literal["id", "en"] | msgspec.UnsetType = msgspec.UNSET


class Device(msgspec.Struct, kw_only=True):
    installation_id: str
    platform: Literal["android", "ios"]
    app_version: str
    locale: Literal["id", "en"]


async def register_device(
    connection: asyncpg.Connection, resident_id: uuid.UUID, installation_id: str, registration: DeviceRegistration
) -> Device:
    """Add or refresh the installation for this resident (in a transaction).

    An installation or a token registered by another account moves to this one: a phone has one
    signed-in resident at a time, and the token now reaches this resident's phone.
    """
    if registration.locale is not msgspec.UNSET:
        await set_resident_locale(connection, resident_id, registration.locale)
    locale = await resident_locale(connection, resident_id)
    # The token keeps its FCM topic subscriptions wherever it moves; a new token has none yet.
    # Every registration has the topics checked again (announcements/topics.py).
    carried_topics = await connection.fetchval(
        "DELETE FROM devices WHERE fcm_token = $1 AND installation_id <> $2 RETURNING topics",
        registration.fcm_token,
        installation_id,
    )
    # The phone was a staff member's until now: it is this resident's alone.
    await connection.execute(
        "DELETE FROM staff_devices WHERE installation_id = $1 OR fcm_token = $2",
        installation_id,
        registration.fcm_token,
    )
    row = await connection.fetchrow(
        """INSERT INTO devices (installation_id, resident_id, fcm_token, platform, app_version, locale, topics)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (installation_id) DO UPDATE
           SET resident_id = excluded.resident_id, fcm_token = excluded.fcm_token, platform = excluded.platform,
               app_version = excluded.app_version, locale = excluded.locale, refreshed_at = now(),
               topics = CASE WHEN devices.fcm_token = excluded.fcm_token THEN devices.topics
                             ELSE excluded.topics END,
               topics_due_at = now()
           RETURNING installation_id, platform, app_version, locale""",
        installation_id,
        resident_id,
        registration.fcm_token,
        registration.platform,
        registration.app_version,
        locale,
        carried_topics or [],
    )
    assert row is not None  # an upsert always returns its row
    return msgspec.convert(dict(row), Device)


async def forget_device(connection: asyncpg.Connection, resident_id: uuid.UUID, installation_id: str) -> None:
    """Sign-out on a phone: its token is no longer used. Another resident's installation is 404."""
    deleted = await connection.fetchval(
        "DELETE FROM devices WHERE installation_id = $1 AND resident_id = $2 RETURNING 1", installation_id, resident_id
    )
    if deleted is None:
        raise ApiError(404)


async def live_tokens(connection: asyncpg.Connection, resident_id: uuid.UUID) -> list[asyncpg.Record]:
    """The tokens push delivery uses: refreshed within STALE_AFTER."""
    rows: list[asyncpg.Record] = await connection.fetch(
        """SELECT installation_id, fcm_token, locale FROM devices
           WHERE resident_id = $1 AND refreshed_at > now() - $2::interval
           ORDER BY installation_id""",
        resident_id,
        STALE_AFTER,
    )
    return rows
