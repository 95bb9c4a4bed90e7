"""The resident's in-app inbox: every notification, pushed or not, newest first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
import msgspec

from serang_app.bilingual import Text
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.workflow import Phase
from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset
from serang_app.notifications.subjects import (
    GENERIC_TITLE,
    SUBJECT_COLUMNS,
    SUBJECT_JOINS,
    NotificationTarget,
    subject_of,
)
from serang_app.notifications.texts import NotificationTexts


class InboxItem(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    case_id: uuid.UUID | None
    reference: str | None
    message: str  # in the resident's language
    created_at: datetime
    read_at: datetime | None
    # The template's code (`complaints.resolved`, `case.comment`): the app picks an icon by it.
    kind: str
    # A heading in the resident's language: the service the case is about.
    title: str
    # The status the case moved to, when the notification tells of a move.
    status: str | None
    status_title: str | None
    phase: Phase | None
    # Where a tap leads; null for a notification about no case.
    target: NotificationTarget | None


class Inbox(msgspec.Struct, kw_only=True):
    items: list[InboxItem]
    next_cursor: str | None
    unread_count: int


class MarkRead(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=100)]


class UnreadCount(msgspec.Struct, kw_only=True):
    unread_count: int


_SELECT = f"""
SELECT n.id, n.case_id, n.source, n.template, n.params, n.created_at, n.read_at, {SUBJECT_COLUMNS}
FROM notifications n {SUBJECT_JOINS}
"""  # noqa: S608 (constant columns)
_NEWEST_FIRST = Keyset("inbox", ("n.created_at", "n.id"), tuple[datetime, uuid.UUID])
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
    fallback_title: Text = GENERIC_TITLE,
) -> Inbox:
    page = _NEWEST_FIRST.page(limit, cursor, owner=resident_id)
    locale = await connection.fetchval("SELECT locale FROM residents WHERE id = $1", resident_id) or "id"
    own = Conditions()
    own.add("n.recipient_kind = 'resident' AND n.recipient_id = ?", resident_id)
    own.add("n.created_at <= now()")  # scheduled ones show from their time on
    rows, next_cursor = await page.fetch(connection, _SELECT, own)
    items = []
    for row in rows:
        params = row["params"] or {}
        status = params.get("status")
        status_title = (
            workflows.state_title(row["module"], row["workflow"], status) if status and row["module"] else None
        )
        subject = subject_of(row, workflows, locale, fallback_title)
        items.append(
            InboxItem(
                id=row["id"],
                case_id=row["case_id"],
                reference=subject.reference,
                message=texts.render(row["source"], row["template"], params, locale, status_title),
                created_at=row["created_at"],
                read_at=row["read_at"],
                kind=subject.kind,
                title=subject.title,
                status=subject.status,
                status_title=subject.status_title,
                phase=subject.phase,
                target=subject.target,
            )
        )
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
