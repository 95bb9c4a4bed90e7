"""UU PDP rights: a copy of everything held about a resident, and erasure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import asyncpg
import msgspec

from serang_app.audit.log import record
from serang_app.auth.refresh_tokens import revoke_subject
from serang_app.cases.workflow import Phase
from serang_app.http.idempotency_store import Caller, forget_caller_keys
from serang_app.residents.nik import NikVault
from serang_app.residents.profile import read_profile
from serang_app.residents.schemas import Profile


class Consent(msgspec.Struct, kw_only=True):
    purpose: str
    policy_version: str
    given_at: datetime


class Session(msgspec.Struct, kw_only=True):
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None


class Activity(msgspec.Struct, kw_only=True):
    at: datetime
    action: str
    details: dict[str, Any]


class CaseRecord(msgspec.Struct, kw_only=True):
    reference: str
    module: str
    service_code: str
    status: str
    phase: Phase
    created_at: datetime
    closed_at: datetime | None
    rating: int | None
    rating_comment: str | None
    # What the resident wrote on the case's timeline (notes with their actions).
    own_notes: list[str]


class NotificationRecord(msgspec.Struct, kw_only=True):
    template: str
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class DeviceRecord(msgspec.Struct, kw_only=True):
    installation_id: str
    platform: Literal["android", "ios"]
    app_version: str
    locale: Literal["id", "en"]
    created_at: datetime
    refreshed_at: datetime


class UploadRecord(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    purpose: str
    status: Literal["pending", "completed"]
    content_type: str | None
    created_at: datetime
    case_reference: str | None  # the case it is attached to (GET /v1/uploads/{id} gives the files)


class DataExport(msgspec.Struct, kw_only=True):
    """Everything held about the resident."""

    exported_at: datetime
    profile: Profile
    consents: list[Consent]
    sessions: list[Session]
    activity: list[Activity]
    cases: list[CaseRecord]
    notifications: list[NotificationRecord]
    devices: list[DeviceRecord]
    uploads: list[UploadRecord]


async def export_resident(connection: asyncpg.Connection, resident_id: uuid.UUID, vault: NikVault) -> DataExport:
    profile = await read_profile(connection, resident_id, vault)
    consents = await connection.fetch(
        "SELECT purpose, policy_version, given_at FROM consents WHERE resident_id = $1 ORDER BY given_at", resident_id
    )
    sessions = await connection.fetch(
        """SELECT min(created_at) AS started_at, max(expires_at) AS expires_at, max(revoked_at) AS ended_at
           FROM refresh_tokens WHERE subject_kind = 'resident' AND subject_id = $1
           GROUP BY family_id ORDER BY min(created_at)""",
        resident_id,
    )
    activity = await connection.fetch(
        "SELECT at, action, details FROM audit_log WHERE actor_kind = 'resident' AND actor_id = $1 ORDER BY id",
        resident_id,
    )
    cases = await connection.fetch(_CASES, resident_id)
    notifications = await connection.fetch(
        """SELECT template, params, created_at, read_at FROM notifications
           WHERE recipient_kind = 'resident' AND recipient_id = $1 ORDER BY created_at""",
        resident_id,
    )
    devices = await connection.fetch(
        """SELECT installation_id, platform, app_version, locale, created_at, refreshed_at FROM devices
           WHERE resident_id = $1 ORDER BY created_at""",
        resident_id,
    )
    uploads = await connection.fetch(
        """SELECT u.id, u.purpose, u.status, u.content_type, u.created_at, c.reference AS case_reference
           FROM uploads u LEFT JOIN cases c ON c.id = u.case_id
           WHERE u.resident_id = $1 ORDER BY u.created_at""",
        resident_id,
    )
    return DataExport(
        exported_at=await connection.fetchval("SELECT now()"),
        profile=profile,
        consents=[msgspec.convert(dict(row), Consent) for row in consents],
        sessions=[msgspec.convert(dict(row), Session) for row in sessions],
        activity=[msgspec.convert(dict(row), Activity) for row in activity],
        cases=[msgspec.convert(dict(row), CaseRecord) for row in cases],
        notifications=[msgspec.convert(dict(row), NotificationRecord) for row in notifications],
        devices=[msgspec.convert(dict(row), DeviceRecord) for row in devices],
        uploads=[msgspec.convert(dict(row), UploadRecord) for row in uploads],
    )


_CASES = """
SELECT c.reference, c.module, c.service_code, c.status, c.phase, c.created_at, c.closed_at, c.rating,
       r.comment AS rating_comment,
       coalesce(
           (SELECT array_agg(e.note ORDER BY e.id) FROM case_events e
            WHERE e.case_id = c.id AND e.actor_kind = 'resident' AND e.note IS NOT NULL),
           '{}'
       ) AS own_notes
FROM cases c LEFT JOIN case_ratings r ON r.case_id = c.id
WHERE c.resident_id = $1
ORDER BY c.created_at
"""


async def erase_resident(connection: asyncpg.Connection, resident_id: uuid.UUID, request_id: str | None) -> None:
    """Remove the resident's identity (inside a transaction). Their requests stay, without it,
    for the agencies' records; sign-ins stop at once."""
    await connection.execute(
        """UPDATE residents
           SET phone = NULL, name = NULL, firebase_uid = NULL, nik_ciphertext = NULL, nik_index = NULL,
               district_code = NULL, village_code = NULL, erased_at = now(), updated_at = now()
           WHERE id = $1 AND erased_at IS NULL""",
        resident_id,
    )
    await revoke_subject(connection, "resident", resident_id)
    await forget_caller_keys(connection, Caller("resident", resident_id))
    # What the resident wrote may name them; the cases themselves stay for the agencies' records.
    await connection.execute(
        "UPDATE case_events SET note = NULL WHERE actor_kind = 'resident' AND actor_id = $1 AND note IS NOT NULL",
        resident_id,
    )
    await connection.execute(
        "UPDATE case_ratings SET comment = NULL WHERE case_id IN (SELECT id FROM cases WHERE resident_id = $1)",
        resident_id,
    )
    await connection.execute(
        "DELETE FROM notifications WHERE recipient_kind = 'resident' AND recipient_id = $1", resident_id
    )
    await connection.execute("DELETE FROM devices WHERE resident_id = $1", resident_id)
    await connection.execute("DELETE FROM case_followers WHERE resident_id = $1", resident_id)
    await record(
        connection,
        actor_kind="resident",
        actor_id=resident_id,
        action="resident.erased",
        object_type="resident",
        object_id=str(resident_id),
        request_id=request_id,
    )
