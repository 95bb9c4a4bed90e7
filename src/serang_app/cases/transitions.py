"""Taking a workflow action on a case: checked, then written with its timeline entry, audit entry
and notification in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg

from serang_app.cases.actors import CaseActor
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import notify_resident, record_event
from serang_app.cases.reading import allowed_actions
from serang_app.cases.sla_clock import Clock, move_clock
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.uploads.service import UploadOwner, attach_uploads

_LOCK = """
SELECT id, reference, module, workflow, resident_id, opd_code, status, version, due_at, paused_since, closed_at
FROM cases WHERE id = $1 FOR UPDATE
"""
_MOVE = """
UPDATE cases
SET status = $2, phase = $3, due_at = $4, paused_since = $5, closed_at = $6,
    version = version + 1, updated_at = now()
WHERE id = $1
RETURNING version
"""


async def take_action(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    case_id: uuid.UUID,
    action: str,
    *,
    expected_version: int | None,
    note: str | None = None,
    upload_ids: Sequence[uuid.UUID] = (),
) -> int:
    """Move the case; returns its new version. Must run inside a transaction.

    Answers (as ApiError) 404 for a case the actor may not see, 412 when `expected_version` is
    stale, 409 with the actor's allowed actions when the action cannot be taken from the current
    status, 403 when it can but not by this actor's role, 422 when a required note is missing.
    `expected_version=None` skips the version check (If-Match: *, or module code acting as the
    system, which holds the row lock anyway).
    """
    row = await connection.fetchrow(_LOCK, case_id)
    if row is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        raise ApiError(404)
    if expected_version is not None and row["version"] != expected_version:
        raise ApiError(412, headers={"ETag": etag_of(row["version"])})
    registered = engine.workflows.get(row["module"], row["workflow"])
    transition = registered.transitions.get(action) if registered else None
    if registered is None or transition is None or row["status"] not in transition.source:
        offered = allowed_actions(registered, row["status"], actor) if registered else []
        raise ApiError(
            409,
            "case_action_not_allowed",
            params={"action": action, "status": row["status"]},
            extra={"allowed_actions": [entry.action for entry in offered]},
        )
    if actor.role not in transition.actors:
        raise ApiError(403, "case_action_forbidden", params={"action": action})
    if transition.requires_note and not note:
        raise ApiError(
            422,
            errors=[LocalizedFieldError("note", "Tindakan ini memerlukan catatan", "This action requires a note")],
        )
    if transition.requires_upload and not upload_ids:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "upload_ids",
                    "Tindakan ini memerlukan foto atau dokumen",
                    "This action requires a photo or document",
                )
            ],
        )
    if upload_ids:
        if actor.id is None:
            raise ApiError(403)  # the system has no uploads of its own
        await attach_uploads(connection, UploadOwner.of(actor), case_id, upload_ids)
    target = registered.states[transition.target]
    calendar = await engine.calendars.get(connection)
    clock = move_clock(
        calendar,
        Clock(due_at=row["due_at"], paused_since=row["paused_since"], closed_at=row["closed_at"]),
        target,
        datetime.now(UTC),
    )
    version: int = await connection.fetchval(
        _MOVE, case_id, target.code, target.phase, clock.due_at, clock.paused_since, clock.closed_at
    )
    await record_event(
        connection,
        actor,
        case_id,
        "transition",
        action=action,
        from_status=row["status"],
        to_status=target.code,
        note=note,
    )
    if transition.notify is not None:
        await notify_resident(
            connection,
            row["resident_id"],
            case_id,
            source=row["module"],
            template=transition.notify,
            params={"reference": row["reference"], "status": target.code},
        )
    return version


def etag_of(version: int) -> str:
    return f'"{version}"'


def version_in(if_match: str) -> int | None:
    """The version an If-Match header names: `"7"` (or a bare 7). None for `*` (any version);
    -1, which no case has, for anything else: it then fails as stale."""
    value = if_match.strip()
    if value == "*":
        return None
    value = value.removeprefix('"').removesuffix('"')
    return int(value) if value.isdigit() and len(value) <= 9 else -1
