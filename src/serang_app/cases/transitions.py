"""Taking a workflow action on a case: checked, then written with its timeline entry, audit entry
and notification in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import notify_resident, record_event
from serang_app.cases.reading import allowed_actions
from serang_app.cases.sla_clock import Clock, move_clock, working_days_taken
from serang_app.http.digits import ascii_number
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.uploads.service import UploadOwner, attach_uploads

_LOCK = """
SELECT id, reference, module, workflow, resident_id, opd_code, status, version, sla_days, due_at, paused_since,
       closed_at, created_at, paused_working_days
FROM cases WHERE id = $1 FOR UPDATE
"""
_MOVE = """
UPDATE cases
SET status = $2, phase = $3, due_at = $4, paused_since = $5, closed_at = $6,
    paused_working_days = $7, working_days_taken = $8,
    version = version + 1, updated_at = now(), status_since = now()
WHERE id = $1
RETURNING version
"""
# Another agency takes the case over: nobody there holds it yet, and its supervisors have not
# been told it is overdue.
_REROUTE = """
UPDATE cases SET opd_code = $2, assignee_id = NULL, overdue_notified_at = NULL, due_at = $3, paused_since = $4
WHERE id = $1
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
    opd_code: str | None = None,
    from_core_api: bool = False,
) -> int:
    """Move the case; returns its new version. Must run inside a transaction.

    Answers (as ApiError) 404 for a case the actor may not see, 412 when `expected_version` is
    stale, 409 with the actor's allowed actions when the action cannot be taken from the current
    status, 403 when it can but not by this actor's role, 422 when a required note is missing.
    `expected_version=None` skips the version check (If-Match: *, or module code acting as the
    system, which holds the row lock anyway). `from_core_api`: the generic action route, which
    does not take transitions only a module's own route may take. `opd_code`: the agency a
    rerouting transition hands the case to (422 naming `opd_code` when missing, unknown, the
    current one, or given to an action that does not reroute).
    """
    row = await connection.fetchrow(_LOCK, case_id)
    if row is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        raise ApiError(404)
    if expected_version is not None and row["version"] != expected_version:
        raise ApiError(412, headers={"ETag": etag_of(row["version"])})
    registered = engine.workflows.get(row["module"], row["workflow"])
    transition = registered.transitions.get(action) if registered else None
    if transition is not None and transition.module_route_only and from_core_api:
        transition = None
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
    if transition.reroutes or opd_code is not None:
        await _check_new_agency(connection, transition.reroutes, opd_code, row["opd_code"])
    if upload_ids:
        if actor.id is None:
            raise ApiError(403)  # the system has no uploads of its own
        await attach_uploads(connection, UploadOwner.of(actor), case_id, upload_ids)
    target = registered.states[transition.target]
    calendar = await engine.calendars.get(connection)
    now = engine.now()
    clock = move_clock(
        calendar,
        Clock(
            due_at=row["due_at"],
            paused_since=row["paused_since"],
            closed_at=row["closed_at"],
            paused_working_days=row["paused_working_days"],
        ),
        target,
        now,
    )
    # Only a completion has a time to completion (a rejection or a cancellation is not one).
    taken = working_days_taken(calendar, row["created_at"], clock) if target.phase == "completed" else None
    version: int = await connection.fetchval(
        _MOVE,
        case_id,
        target.code,
        target.phase,
        clock.due_at,
        clock.paused_since,
        clock.closed_at,
        clock.paused_working_days,
        taken,
    )
    if transition.reroutes:
        # The new agency gets the whole SLA again, counted from now.
        sla_days = row["sla_days"]
        due_at = calendar.due_at(now, sla_days) if sla_days is not None else None
        await connection.execute(_REROUTE, case_id, opd_code, due_at, now if target.pauses_sla else None)
    await record_event(
        connection,
        actor,
        case_id,
        "transition",
        action=action,
        from_status=row["status"],
        to_status=target.code,
        note=note,
        audit_details={"opd": opd_code} if transition.reroutes else None,
    )
    if transition.notify is not None:
        params = {"reference": row["reference"], "status": target.code}
        await notify_resident(
            connection,
            row["resident_id"],
            case_id,
            source=row["module"],
            template=transition.notify,
            params=params,
            followers=True,
        )
    return version


async def _check_new_agency(connection: asyncpg.Connection, reroutes: bool, opd_code: str | None, current: str) -> None:
    if not reroutes:
        problem = ("Tindakan ini tidak meneruskan ke OPD lain", "This action does not hand the case to another agency")
    elif opd_code is None:
        problem = ("Pilih OPD tujuan", "Name the agency to hand the case to")
    elif opd_code == current:
        problem = ("OPD tujuan sama dengan OPD sekarang", "The case is already with this agency")
    elif await connection.fetchval("SELECT 1 FROM opds WHERE code = $1 AND is_active", opd_code) is None:
        problem = ("OPD tidak dikenal", "Unknown agency")
    else:
        return
    raise ApiError(422, errors=[LocalizedFieldError("opd_code", *problem)])


def etag_of(version: int) -> str:
    return f'"{version}"'


def version_in(if_match: str) -> int | None:
    """The version an If-Match header names: `"7"` (or a bare 7). None for `*` (any version);
    -1, which no case has, for anything else: it then fails as stale."""
    value = if_match.strip()
    if value == "*":
        return None
    version = ascii_number(value.removeprefix('"').removesuffix('"'), max_digits=9)
    return -1 if version is None else version
