"""Registering the phones a staff member uses, with their FCM tokens: residents' devices
(notifications/devices.py) for an officer, in a table of their own (`staff_devices`).

The same rules as a resident's phone: one signed-in account per phone (an installation or a
token registered by anyone else moves to this staff member), tokens not refreshed for
STALE_AFTER are not used, a token FCM no longer knows is deleted by the delivery step. Two more:
a staff member has at most MAX_STAFF_DEVICES phones (an account is a person, and every device is
a push per notification), and staff devices take no language of their own (the account's,
notifications/language.py).
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from serang_app.http.problems import ApiError
from serang_app.notifications.devices import AppVersion, FcmToken, Platform

# A work phone, a tablet, a personal phone, and room for a replacement before the old one's
# token goes stale.
MAX_STAFF_DEVICES = 5


class StaffDeviceRegistration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    fcm_token: FcmToken
    platform: Platform
    app_version: AppVersion


class StaffDevice(msgspec.Struct, kw_only=True):
    installation_id: str
    platform: Platform
    app_version: str


_UPSERT = """
INSERT INTO staff_devices (installation_id, staff_id, fcm_token, platform, app_version)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (installation_id) DO UPDATE
SET staff_id = excluded.staff_id, fcm_token = excluded.fcm_token, platform = excluded.platform,
    app_version = excluded.app_version, refreshed_at = now()
RETURNING installation_id, platform, app_version
"""
# Another installation of this staff member's, beside this one.
_OTHERS = "SELECT count(*) FROM staff_devices WHERE staff_id = $1 AND installation_id <> $2"


async def register_staff_device(
    connection: asyncpg.Connection, staff_id: uuid.UUID, installation_id: str, registration: StaffDeviceRegistration
) -> StaffDevice:
    """Add or refresh the installation for this staff member (in a transaction); 409
    `too_many_devices` for a new one beyond MAX_STAFF_DEVICES."""
    # One registration of this account at a time, so two new phones cannot both pass the count.
    await connection.execute("SELECT 1 FROM staff WHERE id = $1 FOR UPDATE", staff_id)
    if await connection.fetchval(_OTHERS, staff_id, installation_id) >= MAX_STAFF_DEVICES:
        raise ApiError(409, "too_many_devices", params={"limit": MAX_STAFF_DEVICES})
    await connection.execute(
        "DELETE FROM staff_devices WHERE fcm_token = $1 AND installation_id <> $2",
        registration.fcm_token,
        installation_id,
    )
    # The phone was a resident's until now (one app, signed in as staff): it is this officer's alone.
    await connection.execute(
        "DELETE FROM devices WHERE installation_id = $1 OR fcm_token = $2", installation_id, registration.fcm_token
    )
    row = await connection.fetchrow(
        _UPSERT, installation_id, staff_id, registration.fcm_token, registration.platform, registration.app_version
    )
    assert row is not None  # an upsert always returns its row
    return msgspec.convert(dict(row), StaffDevice)


async def forget_staff_device(connection: asyncpg.Connection, staff_id: uuid.UUID, installation_id: str) -> None:
    """Sign-out on a phone: its token is no longer used. Anyone else's installation is 404."""
    deleted = await connection.fetchval(
        "DELETE FROM staff_devices WHERE installation_id = $1 AND staff_id = $2 RETURNING 1", installation_id, staff_id
    )
    if deleted is None:
        raise ApiError(404)


async def forget_all_staff_devices(connection: asyncpg.Connection, staff_id: uuid.UUID) -> None:
    """A disabled account's phones stop (in the transaction that disables it)."""
    await connection.execute("DELETE FROM staff_devices WHERE staff_id = $1", staff_id)
