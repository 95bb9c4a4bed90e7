"""Reading the audit log, newest first. Nothing here or anywhere in the API changes an entry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from serang_app.audit.log import ActorKind
from serang_app.audit.schemas import AuditEntry, AuditPage
from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset
from serang_app.db.pool import rows_as

_SELECT = "SELECT id, at, actor_kind, actor_id, action, object_type, object_id, request_id, details FROM audit_log"
# Ids grow with every entry, so "older than the last one shown" is simply a smaller id.
_NEWEST_FIRST = Keyset("audit", ("id",), tuple[int])


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor_kind: ActorKind | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive, so consecutive windows never share an entry


async def list_entries(
    connection: asyncpg.Connection, where: AuditFilter, *, limit: int, cursor: str | None
) -> AuditPage:
    conditions = Conditions()
    for column in ("actor_kind", "actor_id", "action", "object_type", "object_id"):
        value = getattr(where, column)
        if value is not None:
            conditions.add(f"{column} = ?", value)
    if where.since is not None:
        conditions.add("at >= ?", where.since)
    if where.until is not None:
        conditions.add("at < ?", where.until)
    page = await _NEWEST_FIRST.page(limit, cursor).fetch(connection, _SELECT, conditions)
    return AuditPage(items=rows_as(AuditEntry, page.rows), next_cursor=page.next_cursor)
