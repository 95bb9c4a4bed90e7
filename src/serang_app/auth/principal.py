"""Who is calling: loaded from the database on every request, so a disabled account, an erased
resident or a signed-out session (auth/revoked_sessions.py) stops at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from serang_app.auth.access_tokens import AccessSubject, SubjectKind
from serang_app.auth.permissions import PermissionRegistry
from serang_app.auth.revoked_sessions import SESSION_NOT_REVOKED
from serang_app.db.pool import Database

# Built from constants only, so the S608 warnings below are about nothing a caller sends.
_OPEN_SESSION = SESSION_NOT_REVOKED.format("$2")
_ACTIVE_RESIDENT = f"SELECT locale FROM residents WHERE id = $1 AND erased_at IS NULL AND {_OPEN_SESSION}"  # noqa: S608
_ACTIVE_STAFF = f"SELECT role, opd_code FROM staff WHERE id = $1 AND is_active AND {_OPEN_SESSION}"  # noqa: S608


@dataclass(frozen=True, slots=True)
class Principal:
    kind: SubjectKind
    id: uuid.UUID
    role: str
    opd_code: str | None
    permissions: frozenset[str]
    # The sign-in the token belongs to (None for tokens from before sessions were named).
    session_id: uuid.UUID | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def resident_principal(
    subject: AccessSubject, registry: PermissionRegistry, session_id: uuid.UUID | None = None
) -> Principal:
    """The principal a resident's token names, before anyone checked the account and the session
    are still active: only for routes that check them themselves (ACCOUNT_CHECKED_BY_ROUTE_OPT)."""
    return Principal(
        kind="resident",
        id=subject.id,
        role="resident",
        opd_code=None,
        permissions=registry.for_role("resident"),
        session_id=session_id,
    )


async def is_active_resident(
    connection: asyncpg.Connection, resident_id: uuid.UUID, session_id: uuid.UUID | None = None
) -> bool:
    return await connection.fetchrow(_ACTIVE_RESIDENT, resident_id, session_id) is not None


async def load_principal(
    database: Database, subject: AccessSubject, registry: PermissionRegistry, session_id: uuid.UUID | None = None
) -> Principal | None:
    async with database.acquire() as connection:
        return await fetch_principal(connection, subject, registry, session_id)


async def fetch_principal(
    connection: asyncpg.Connection,
    subject: AccessSubject,
    registry: PermissionRegistry,
    session_id: uuid.UUID | None = None,
) -> Principal | None:
    """The active account behind a token, or None when it was erased or disabled or the session ended."""
    if subject.kind == "resident":
        row = await connection.fetchrow(_ACTIVE_RESIDENT, subject.id, session_id)
        role, opd_code = "resident", None
    else:
        row = await connection.fetchrow(_ACTIVE_STAFF, subject.id, session_id)
        role, opd_code = (row["role"], row["opd_code"]) if row else ("", None)
    if row is None:
        return None
    return Principal(
        kind=subject.kind,
        id=subject.id,
        role=role,
        opd_code=opd_code,
        permissions=registry.for_role(role),
        session_id=session_id,
    )
