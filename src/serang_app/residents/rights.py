"""UU PDP rights: a copy of everything held about a resident, and erasure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from serang_app.audit.log import record
from serang_app.auth.refresh_tokens import revoke_subject
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


class DataExport(msgspec.Struct, kw_only=True):
    """Everything held about the resident. Cases, uploads and notifications join as they are built."""

    exported_at: datetime
    profile: Profile
    consents: list[Consent]
    sessions: list[Session]
    activity: list[Activity]


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
    return DataExport(
        exported_at=await connection.fetchval("SELECT now()"),
        profile=profile,
        consents=[msgspec.convert(dict(row), Consent) for row in consents],
        sessions=[msgspec.convert(dict(row), Session) for row in sessions],
        activity=[msgspec.convert(dict(row), Activity) for row in activity],
    )


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
    await record(
        connection,
        actor_kind="resident",
        actor_id=resident_id,
        action="resident.erased",
        object_type="resident",
        object_id=str(resident_id),
        request_id=request_id,
    )
