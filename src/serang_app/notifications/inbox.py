"""The in-app inbox, a resident's or a staff member's: every notification addressed to them,
pushed or not, newest first, in their language. One reading for both; only where a tap leads
differs (a resident's case screen, a staff member's: notifications/subjects.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

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
    StaffNotificationTarget,
    staff_target,
    subject_of,
)
from serang_app.notifications.texts import NotificationTexts

RecipientKind = Literal["resident", "staff"]


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whose inbox: the notifications' `recipient_kind` and `recipient_id`."""

    kind: RecipientKind
    id: uuid.UUID


class InboxEntry(msgspec.Struct, kw_only=True):
    """What a resident's and a staff member's inbox items share: all but the target."""

    id: uuid.UUID
    case_id: uuid.UUID | None
    reference: str | None
    message: str  # in the recipient's language
    created_at: datetime
    read_at: datetime | None
    # The template's code (`complaints.resolved`, `case.comment`): the app picks an icon by it.
    kind: str
    # A heading in the recipient's language: the service the case is about.
    title: str
    # The status the case moved to, when the notification tells of a move.
    status: str | None
    status_title: str | None
    phase: Phase | None


class InboxItem(InboxEntry, kw_only=True):
    # Where a tap leads; null for a notification about no case.
    target: NotificationTarget | None


class StaffInboxItem(InboxEntry, kw_only=True):
    # Where a tap leads in the officers' app; null for a notification about no case.
    target: StaffNotificationTarget | None


class Inbox(msgspec.Struct, kw_only=True):
    items: list[InboxItem]
    next_cursor: str | None
    unread_count: int


class StaffInbox(msgspec.Struct, kw_only=True):
    items: list[StaffInboxItem]
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
_ONE = f"{_SELECT} WHERE n.id = $1 AND n.recipient_kind = $2 AND n.recipient_id = $3 AND n.created_at <= now()"
# One list per kind of recipient, so that a cursor of one is refused by the other.
_NEWEST_FIRST = Keyset("inbox", ("n.created_at", "n.id"), tuple[datetime, uuid.UUID])
_STAFF_NEWEST_FIRST = Keyset("staff-inbox", ("n.created_at", "n.id"), tuple[datetime, uuid.UUID])
# Scheduled notifications (created_at in the future) show from their time on.
_UNREAD = """
SELECT count(*) FROM notifications
WHERE recipient_kind = $1 AND recipient_id = $2 AND read_at IS NULL AND created_at <= now()
"""


async def inbox_page(
    connection: asyncpg.Connection,
    texts: NotificationTexts,
    workflows: WorkflowRegistry,
    recipient: Recipient,
    locale: str,
    *,
    limit: int,
    cursor: str | None,
    fallback_title: Text = GENERIC_TITLE,
) -> Inbox:
    keyset = _NEWEST_FIRST if recipient.kind == "resident" else _STAFF_NEWEST_FIRST
    page = keyset.page(limit, cursor, owner=recipient.id)
    own = Conditions()
    own.add("n.recipient_kind = ? AND n.recipient_id = ?", recipient.kind, recipient.id)
    own.add("n.created_at <= now()")  # scheduled ones show from their time on
    rows, next_cursor = await page.fetch(connection, _SELECT, own)
    return Inbox(
        items=[_item(row, texts, workflows, locale, fallback_title) for row in rows],
        next_cursor=next_cursor,
        unread_count=await unread_count(connection, recipient),
    )


async def inbox_item(
    connection: asyncpg.Connection,
    texts: NotificationTexts,
    workflows: WorkflowRegistry,
    recipient: Recipient,
    locale: str,
    notification_id: uuid.UUID,
    *,
    fallback_title: Text = GENERIC_TITLE,
) -> InboxItem | None:
    """One of the recipient's own notifications; None for anyone else's, or one not yet due."""
    row = await connection.fetchrow(_ONE, notification_id, recipient.kind, recipient.id)
    return None if row is None else _item(row, texts, workflows, locale, fallback_title)


@dataclass(frozen=True, slots=True)
class InboxReading:
    """Whose inbox, in which language, and what renders it (the templates, the workflows' titles
    and links, the title of a notification without a case): what the resident's and the staff
    member's routes both read their inbox with."""

    texts: NotificationTexts
    workflows: WorkflowRegistry
    recipient: Recipient
    locale: str
    fallback_title: Text = GENERIC_TITLE

    async def page(self, connection: asyncpg.Connection, *, limit: int, cursor: str | None) -> Inbox:
        return await inbox_page(
            connection,
            self.texts,
            self.workflows,
            self.recipient,
            self.locale,
            limit=limit,
            cursor=cursor,
            fallback_title=self.fallback_title,
        )

    async def item(self, connection: asyncpg.Connection, notification_id: uuid.UUID) -> InboxItem | None:
        return await inbox_item(
            connection,
            self.texts,
            self.workflows,
            self.recipient,
            self.locale,
            notification_id,
            fallback_title=self.fallback_title,
        )


def as_staff_item(item: InboxItem) -> StaffInboxItem:
    """The same item, its target the officers' app's (a staff route)."""
    fields = msgspec.structs.asdict(item)
    fields["target"] = staff_target(item.target)
    return StaffInboxItem(**fields)


def as_staff_inbox(inbox: Inbox) -> StaffInbox:
    return StaffInbox(
        items=[as_staff_item(item) for item in inbox.items],
        next_cursor=inbox.next_cursor,
        unread_count=inbox.unread_count,
    )


def _item(
    row: asyncpg.Record, texts: NotificationTexts, workflows: WorkflowRegistry, locale: str, fallback_title: Text
) -> InboxItem:
    params = row["params"] or {}
    status = params.get("status")
    status_title = workflows.state_title(row["module"], row["workflow"], status) if status and row["module"] else None
    subject = subject_of(row, workflows, locale, fallback_title)
    return InboxItem(
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


async def unread_count(connection: asyncpg.Connection, recipient: Recipient) -> int:
    count: int = await connection.fetchval(_UNREAD, recipient.kind, recipient.id)
    return count


async def mark_read(connection: asyncpg.Connection, recipient: Recipient, ids: list[uuid.UUID] | None) -> int:
    """Mark the recipient's own notifications read, these or (None) all; the unread count.
    Ids of anyone else's notifications are ignored."""
    await connection.execute(
        """UPDATE notifications SET read_at = now()
           WHERE recipient_kind = $1 AND recipient_id = $2 AND read_at IS NULL AND created_at <= now()
             AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[]))""",
        recipient.kind,
        recipient.id,
        ids,
    )
    return await unread_count(connection, recipient)


async def mark_one_read(connection: asyncpg.Connection, recipient: Recipient, notification_id: uuid.UUID) -> bool:
    """Mark one of the recipient's own notifications read (again: no error); False when it is
    anyone else's, or not yet due."""
    found = await connection.fetchval(
        """UPDATE notifications SET read_at = coalesce(read_at, now())
           WHERE id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND created_at <= now()
           RETURNING 1""",
        notification_id,
        recipient.kind,
        recipient.id,
    )
    return found is not None
