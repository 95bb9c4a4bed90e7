"""Writing the timeline, the audit entry and the notification of a case change: always on the
connection (and so in the transaction) of the change itself, so the three can never disagree."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.cases.schemas import EventKind

# The timeline entry and its audit entry, as two data-modifying CTEs (`case_event`,
# `case_audit`) whose sixteen parameters are numbered from {first} (event_args gives them in
# order): record_event runs them alone, and opening a case runs them in the statement that
# inserts the case (cases/opening.py). One round trip instead of two or three, and both are often
# written while the case's reference counter or a slot's seat row is locked (opening a case,
# booking), where every round trip holds up the next writer (docs/performance.md).
_EVENT_CTES = """
case_event AS (
    INSERT INTO case_events (case_id, kind, action, from_status, to_status, actor_kind, actor_role, actor_id, note,
                             is_public)
    VALUES (${0}, ${1}, ${2}, ${3}, ${4}, ${5}, ${6}, ${7}, ${8}, ${9})
),
case_audit AS (
    INSERT INTO audit_log (actor_kind, actor_id, action, object_type, object_id, request_id, details)
    VALUES (${10}, ${11}, ${12}, 'case', ${13}, ${14}, ${15})
)"""


def event_ctes(first: int) -> str:
    """The two CTEs writing a timeline entry and its audit entry, their parameters numbered from
    `first` (the values: event_args)."""
    return _EVENT_CTES.format(*range(first, first + 16))


_INSERT_EVENT = f"WITH {event_ctes(1)} SELECT"
# The notification and its push job, together: one statement, one transaction with the change.
_INSERT_NOTIFICATION = """
WITH notification AS (
    INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))
    RETURNING id, created_at
)
INSERT INTO push_jobs (notification_id, not_before) SELECT id, created_at FROM notification
"""
# Several notifications to one resident about one case (an appointment's confirmation and its
# reminders), each with its push job, as two data-modifying CTEs whose six parameters are
# numbered from {first}: the resident, the case, the source, and the templates', values' and
# times' arrays (one element per notice). {params} is what each notification stores: the notice's
# values, or those with something only the statement knows added (a new case's reference).
_NOTICE_CTES = """
notification AS (
    INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params, created_at)
    SELECT 'resident', ${0}, ${1}, ${2}, notice.template, {params}, coalesce(notice.at, now())
    FROM unnest(${3}::text[], ${4}::jsonb[], ${5}::timestamptz[]) AS notice (template, params, at)
    RETURNING id, created_at
),
notification_push AS (
    INSERT INTO push_jobs (notification_id, not_before) SELECT id, created_at FROM notification
)"""


def notice_ctes(first: int, params: str = "notice.params") -> str:
    """The two CTEs writing notify_resident_all's notifications and push jobs, their parameters
    numbered from `first` (the values: notice_args); `params` an SQL expression of `notice.params`."""
    return _NOTICE_CTES.format(*range(first, first + 6), params=params)


_INSERT_NOTIFICATIONS = f"WITH {notice_ctes(1)} SELECT"
# One notification and push job per follower, in one statement; the case's own resident, who
# is told separately, is left out if they follow it too.
_NOTIFY_FOLLOWERS = """
WITH notification AS (
    INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
    SELECT 'resident', f.resident_id, f.case_id, $3, $4, $5
    FROM case_followers f WHERE f.case_id = $2 AND f.resident_id <> $1
    RETURNING id, created_at
)
INSERT INTO push_jobs (notification_id, not_before) SELECT id, created_at FROM notification
"""


async def record_event(
    connection: asyncpg.Connection,
    actor: CaseActor,
    case_id: uuid.UUID,
    kind: EventKind,
    *,
    action: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    is_public: bool = True,
    audit_details: dict[str, Any] | None = None,
) -> None:
    """A timeline entry and its audit entry (ids and codes only: notes stay out of the audit log)."""
    await connection.execute(
        _INSERT_EVENT,
        *event_args(
            actor,
            case_id,
            kind,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            is_public=is_public,
            audit_details=audit_details,
        ),
    )


def event_args(
    actor: CaseActor,
    case_id: uuid.UUID,
    kind: EventKind,
    *,
    action: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    is_public: bool = True,
    audit_details: dict[str, Any] | None = None,
) -> tuple[Any, ...]:
    """record_event's values for event_ctes, in their order."""
    details = {
        key: value
        for key, value in {"action": action, "from": from_status, "to": to_status, **(audit_details or {})}.items()
        if value is not None
    }
    return (
        case_id,
        kind,
        action,
        from_status,
        to_status,
        actor.kind,
        actor.role,
        actor.id,
        note,
        is_public,
        actor.kind,
        actor.id,
        f"case.{kind}",
        str(case_id),
        actor.request_id,
        details,
    )


async def notify_resident(
    connection: asyncpg.Connection,
    resident_id: uuid.UUID,
    case_id: uuid.UUID,
    *,
    source: str,
    template: str,
    params: dict[str, Any],
    at: datetime | None = None,
    followers: bool = False,
) -> None:
    """Queue a notification (in-app inbox entry and push job at once); delivery happens later.

    `at` schedules it (an appointment's reminder): it is pushed, and shows in the inbox, from then.
    `followers`: everyone following the case (cases/followers.py) is sent the same.
    """
    await connection.execute(_INSERT_NOTIFICATION, "resident", resident_id, case_id, source, template, params, at)
    if followers:
        await connection.execute(_NOTIFY_FOLLOWERS, resident_id, case_id, source, template, params)


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification of notify_resident_all: its template, the template's values, and when
    (None: now)."""

    template: str
    params: dict[str, Any]
    at: datetime | None = None


async def notify_resident_all(
    connection: asyncpg.Connection,
    resident_id: uuid.UUID,
    case_id: uuid.UUID,
    *,
    source: str,
    notices: Sequence[Notice],
) -> None:
    """notify_resident for several notifications at once (a booking's confirmation and its
    reminders): one statement instead of one each, which matters where it runs while a row is
    locked (booking holds its slot's seat row until it commits)."""
    if notices:
        await connection.execute(_INSERT_NOTIFICATIONS, *notice_args(resident_id, case_id, source, notices))


async def write_with_notices(
    connection: asyncpg.Connection,
    statement: str,
    args: Sequence[Any],
    resident_id: uuid.UUID,
    case_id: uuid.UUID,
    *,
    source: str,
    notices: Sequence[Notice],
) -> list[asyncpg.Record]:
    """Run the module's own write `statement` (one INSERT, UPDATE or DELETE, with `args` as
    $1..$n, and RETURNING what the module needs back) and notify_resident_all in one round trip;
    returns the write's rows. A booking writes its row and its confirmation and reminders while it
    holds the slot's seat row, where each round trip holds up every other booking of the slot
    (docs/performance.md). In the caller's transaction."""
    notices_from = len(args) + 1
    return await connection.fetch(
        f"WITH module_write AS ({statement}), {notice_ctes(notices_from)} SELECT * FROM module_write",  # noqa: S608 (the module's own constant SQL)
        *args,
        *notice_args(resident_id, case_id, source, notices),
    )


def notice_args(resident_id: uuid.UUID, case_id: uuid.UUID, source: str, notices: Sequence[Notice]) -> tuple[Any, ...]:
    return (
        resident_id,
        case_id,
        source,
        [notice.template for notice in notices],
        [notice.params for notice in notices],
        [notice.at for notice in notices],
    )
