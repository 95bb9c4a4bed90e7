"""Who is calling: loaded from the database on every request, so a disabled account stops at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from serang_app.auth.access_tokens import AccessSubject, SubjectKind
from serang_app.auth.permissions import PermissionRegistry
from serang_app.db.pool import Database

_ACTIVE_RESIDENT = "SELECT locale FROM residents WHERE id = $1 AND erased_at IS NULL"
_ACTIVE_STAFF = "SELECT role, opd_code FROM staff WHERE id = $1 AND is_active"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: SubjectKind
    id: uuid.UUID
    role: str
    opd_code: str | None
    permissions: frozenset[str]

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def resident_principal(subject: AccessSubject, registry: PermissionRegistry) -> Principal:
    """The principal a resident's token names, before anyone checked the account is still active:
    only for routes that check it themselves (ACCOUNT_CHECKED_BY_ROUTE_OPT)."""
    return Principal(
        kind="resident", id=subject.id, role="resident", opd_code=None, permissions=registry.for_role("resident")
    )


async def is_active_resident(connection: asyncpg.Connection, resident_id: uuid.UUID) -> bool:
    return await connection.fetchrow(_ACTIVE_RESIDENT, resident_id) is not None


async def load_principal(database: Database, subject: AccessSubject, registry: PermissionRegistry) -> Principal | None:
    async with database.acquire() as connection:
        return await fetch_principal(connection, subject, registry)


async def fetch_principal(
    connection: asyncpg.Connection, subject: AccessSubject, registry: PermissionRegistry
) -> Principal | None:
    """The active account behind a token, or None when it was erased or disabled."""
    if subject.kind == "resident":
        row = await connection.fetchrow(_ACTIVE_RESIDENT, subject.id)
        role, opd_code = "resident", None
    else:
        row = await connection.fetchrow(_ACTIVE_STAFF, subject.id)
        role, opd_code = (row["role"], row["opd_code"]) if row else ("", None)
    if row is None:
        return None
    return Principal(
        kind=subject.kind, id=subject.id, role=role, opd_code=opd_code, permissions=registry.for_role(role)
    )
