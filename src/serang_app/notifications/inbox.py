"""The resident's in-app inbox: every notification, pushed or not, newest first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
import msgspec

from serang_app.cases.registry import WorkflowRegistry
from serang_app.http.pagination import decode_cursor, encode_cursor
from serang_app.notifications.texts import NotificationTexts


class InboxItem(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    case_id: uuid.UUID | None
    reference: str | None
    message: str  # in the resident's language
    created_at: datetime
    read_at: datetime | None


class Inbox(msgspec.Struct, kw_only=True):
    items: list[InboxItem]
    next_cursor: str | None
    unread_count: int


class MarkRead(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=100)]


class UnreadCount(msgspec.Struct, kw_only=True):
    unread_count: int


_PAGE = """
SELECT n.id, n.case_id, n.source, n.template, n.params, n.created_at, n.read_at, c.module, c.workflow
FROM notifications n LEFT JOIN cases c ON c.id = n.case_id
WHERE n.recipient_kind = 'resident' AND n.recipient_id = $1 AND n.created_at <= now()
  AND ($2::timestamptz IS NULL OR (n.created_at, n.id) < ($2, $3))
ORDER BY n.created_at DESC, n.id DESC
LIMIT $4
"""
# Scheduled notifications (created_at in the future) show from their time on.
_UNREAD = """
SELECT count(*) FROM notifications
WHERE recipient_kind = 'resident' AND recipient_id = $1 AND read_at IS NULL AND created_at <= now()
"""


async def inbox_page(
    connection: asyncpg.Connection,
    texts: NotificationTexts,
    workflows: WorkflowRegistry,
    resident_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None,
) -> Inbox:
    moment, last_id = decode_cursor(cursor, tuple[datetime, uuid.UUID]) if cursor else (None, None)
    locale = await connection.fetchval("SELECT locale FROM residents WHERE id = $1", resident_id) or "id"
    rows = await connection.fetch(_PAGE, resident_id, moment, last_id, limit + 1)
    items = []
    for row in rows[:limit]:
        params = row["params"] or {}
        status = params.get("status")
        status_title = (
            workflows.state_title(row["module"], row["workflow"], status) if status and row["module"] else None
        )
        items.append(
            InboxItem(
                id=row["id"],
                case_id=row["case_id"],
                reference=params.get("reference"),
                message=texts.render(row["source"], row["template"], params, locale, status_title),
                created_at=row["created_at"],
                read_at=row["read_at"],
            )
        )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last["created_at"], last["id"]])
    return Inbox(items=items, next_cursor=next_cursor, unread_count=await connection.fetchval(_UNREAD, resident_id))


async def mark_read(connection: asyncpg.Connection, resident_id: uuid.UUID, ids: list[uuid.UUID] | None) -> int:
    """Mark the resident's own notifications read, these or (None) all; the unread count.
    Ids of anyone else's notifications are ignored."""
    await connection.execute(
        """UPDATE notifications SET read_at = now()
           WHERE recipient_kind = 'resident' AND recipient_id = $1 AND read_at IS NULL AND created_at <= now()
             AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))""",
        resident_id,
        ids,
    )
    count: int = await connection.fetchval(_UNREAD, resident_id)
    return count
