"""Resident accounts: found or created at sign-in, with the consent given and an audit entry."""

from __future__ import annotations

import uuid
from typing import Literal

import asyncpg

from serang_app.audit.log import record

CONSENT_PURPOSE = "public_services"


async def sign_in_resident(
    connection: asyncpg.Connection,
    *,
    phone: str,
    firebase_uid: str | None,
    policy_version: str,
    method: Literal["dev", "firebase"],
    request_id: str | None,
) -> uuid.UUID:
    """The resident's id, creating the account on first sign-in; call inside a transaction.

    Firebase's user id is the identity when there is one. Carriers recycle phone numbers, so a
    number that arrives with a new Firebase user moves to the new account.
    """
    resident_id: uuid.UUID | None = None
    if firebase_uid is not None:
        resident_id = await connection.fetchval(
            "SELECT id FROM residents WHERE firebase_uid = $1 AND erased_at IS NULL", firebase_uid
        )
    if resident_id is None:
        holder = await connection.fetchrow(
            "SELECT id, firebase_uid FROM residents WHERE phone = $1 AND erased_at IS NULL", phone
        )
        if holder is not None and (firebase_uid is None or holder["firebase_uid"] in (None, firebase_uid)):
            resident_id = holder["id"]
    created = resident_id is None
    if resident_id is None:
        await connection.execute("UPDATE residents SET phone = NULL, updated_at = now() WHERE phone = $1", phone)
        resident_id = await connection.fetchval(
            "INSERT INTO residents (phone, firebase_uid) VALUES ($1, $2) RETURNING id", phone, firebase_uid
        )
    else:
        await connection.execute(
            "UPDATE residents SET phone = NULL, updated_at = now() WHERE phone = $1 AND id <> $2", phone, resident_id
        )
        await connection.execute(
            "UPDATE residents SET phone = $2, firebase_uid = COALESCE(firebase_uid, $3), updated_at = now() "
            "WHERE id = $1",
            resident_id,
            phone,
            firebase_uid,
        )
    assert resident_id is not None
    await connection.execute(
        """INSERT INTO consents (resident_id, purpose, policy_version)
           SELECT $1, $2, $3
           WHERE NOT EXISTS (SELECT 1 FROM consents WHERE resident_id = $1 AND purpose = $2 AND policy_version = $3)""",
        resident_id,
        CONSENT_PURPOSE,
        policy_version,
    )
    await record(
        connection,
        actor_kind="resident",
        actor_id=resident_id,
        action="resident.sign_in",
        object_type="resident",
        object_id=str(resident_id),
        request_id=request_id,
        details={"method": method, "new_account": created},
    )
    return resident_id
