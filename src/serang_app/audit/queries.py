"""Reading the audit log, newest first. Nothing here or anywhere in the API changes an entry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from serang_app.audit.log import ActorKind
from serang_app.audit.schemas import AuditEntry, AuditPage
from serang_app.db.conditions import Conditions
from serang_app.db.pool import rows_as
from serang_app.http.pagination import decode_cursor, encode_cursor

_COLUMNS = "id, at, actor_kind, actor_id, action, object_type, object_id, request_id, details"


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
    if cursor is not None:
        # Ids grow with every entry, so "older than the last one shown" is simply a smaller id.
        conditions.add("id < ?", decode_cursor(cursor, int))
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM audit_log {conditions.where()} ORDER BY id DESC LIMIT {limit + 1}",  # noqa: S608
        *conditions.values,
    )
    items = rows_as(AuditEntry, rows[:limit])
    return AuditPage(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)
