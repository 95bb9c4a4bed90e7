"""Taking a workflow action on a case: checked, then written with its timeline entry, audit entry
and notification in the caller's transaction.

Two entry points differ only in which of a workflow's transitions they can reach:
`take_action` (module code and the core's own, through `serang_app.api`) any of them;
`take_offered_action` (the generic `POST /v1/cases/{id}/actions`) only those that route offers,
not the ones a module's own route must take (`module_route_only`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.cases.calendar import WorkingCalendar
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import notify_resident, record_event
from serang_app.cases.reading import allowed_actions
from serang_app.cases.registry import RegisteredWorkflow
from serang_app.cases.sla_clock import Clock, move_clock, working_days_taken
from serang_app.cases.staff_notices import tell_agency_of_new_case, tell_holder_of_resident_action
from serang_app.cases.workflow import State, Transition
from serang_app.http.digits import ascii_number
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.opds.active import require_agency
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
# Another agency takes the case over: nobody there holds it yet, and nobody there has been told it
# is overdue: its escalation chain starts again from the first step (the audit log keeps the steps
# taken at the agency before).
_REROUTE = """
WITH forgotten AS (DELETE FROM case_escalation_steps WHERE case_id = $1)
UPDATE cases SET opd_code = $2, assignee_id = NULL, overdue_notified_at = NULL, due_at = $3, paused_since = $4
WHERE id = $1
"""

# Which transition an action names, for one entry point; None when that entry point cannot take it.
TransitionLookup = Callable[[RegisteredWorkflow, str], Transition | None]


def any_transition(registered: RegisteredWorkflow, action: str) -> Transition | None:
    return registered.transitions.get(action)


def offered_transition(registered: RegisteredWorkflow, action: str) -> Transition | None:
    """Only the transitions the generic action route offers (reading.allowed_actions lists them)."""
    transition = registered.transitions.get(action)
    return None if transition is None or transition.module_route_only else transition


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
) -> int:
    """Move the case by any transition of its workflow (module code, timers, ratings); returns its
    new version. Must run inside a transaction.

    Answers (as ApiError) 404 for a case the actor may not see, 412 when `expected_version` is
    stale, 409 with the actor's allowed actions when the action cannot be taken from the current
    status, 403 when it can but not by this actor's role, 422 when a required note or upload is
    missing. `expected_version=None` skips the version check (If-Match: *, or module code acting
    as the system, which holds the row lock anyway). `opd_code`: the agency a rerouting
    transition hands the case to (422 naming `opd_code` when missing, unknown, the current one,
    or given to an action that does not reroute).
    """
    return await _take(
        engine, connection, actor, case_id, action, any_transition, expected_version, note, upload_ids, opd_code
    )


async def take_offered_action(
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
) -> int:
    """`take_action` for `POST /v1/cases/{id}/actions`: a transition only a module's own route
    takes (`module_route_only`) answers 409 there, as an action the case does not have."""
    return await _take(
        engine, connection, actor, case_id, action, offered_transition, expected_version, note, upload_ids, opd_code
    )


async def _take(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    case_id: uuid.UUID,
    action: str,
    lookup: TransitionLookup,
    expected_version: int | None,
    note: str | None,
    upload_ids: Sequence[uuid.UUID],
    opd_code: str | None,
) -> int:
    case = await _locked_case(connection, actor, case_id, expected_version)
    registered, transition = _transition_to_take(engine, case, action, actor, lookup)
    _require_inputs(transition, note, upload_ids)
    if transition.reroutes or opd_code is not None:
        await _check_new_agency(connection, transition.reroutes, opd_code, case["opd_code"])
    if upload_ids:
        await _attach(connection, actor, case_id, upload_ids)
    target = registered.states[transition.target]
    calendar = await engine.calendars.get(connection)
    now = engine.now()
    version = await _move(connection, case, target, calendar, now)
    if transition.reroutes:
        await _hand_over(connection, case, target, opd_code, calendar, now)
        # New to the agency it goes to (_check_new_agency made sure there is one).
        if opd_code is not None and registered.workflow.notify_staff_of_new_cases:
            await tell_agency_of_new_case(connection, case["id"], opd_code, case["reference"], target.code)
    await _record(connection, actor, case, transition, target, note, opd_code)
    return version


async def _locked_case(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, expected_version: int | None
) -> asyncpg.Record:
    """The case's row, locked until the transaction ends; 404 when the actor may not see it, 412
    when it changed since the version the caller saw."""
    case = await connection.fetchrow(_LOCK, case_id)
    if case is None or not actor.may_see(case["resident_id"], case["opd_code"]):
        raise ApiError(404)
    if expected_version is not None and case["version"] != expected_version:
        raise ApiError(412, headers={"ETag": etag_of(case["version"])})
    return case


def _transition_to_take(
    engine: CaseEngine, case: asyncpg.Record, action: str, actor: CaseActor, lookup: TransitionLookup
) -> tuple[RegisteredWorkflow, Transition]:
    """The transition `action` names from the case's status; 409 (with the actor's allowed
    actions) when there is none, 403 when the actor's role may not take it."""
    registered = engine.workflows.get(case["module"], case["workflow"])
    transition = lookup(registered, action) if registered else None
    if registered is None or transition is None or case["status"] not in transition.source:
        offered = allowed_actions(registered, case["status"], actor) if registered else []
        raise ApiError(
            409,
            "case_action_not_allowed",
            params={"action": action, "status": case["status"]},
            extra={"allowed_actions": [entry.action for entry in offered]},
        )
    if actor.role not in transition.actors:
        raise ApiError(403, "case_action_forbidden", params={"action": action})
    return registered, transition


def _require_inputs(transition: Transition, note: str | None, upload_ids: Sequence[uuid.UUID]) -> None:
    """422 when the transition needs a note or an upload the caller did not send."""
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


async def _attach(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, upload_ids: Sequence[uuid.UUID]
) -> None:
    if actor.id is None:
        raise ApiError(403)  # the system has no uploads of its own
    await attach_uploads(connection, UploadOwner.of(actor), case_id, upload_ids)


async def _move(
    connection: asyncpg.Connection, case: asyncpg.Record, target: State, calendar: WorkingCalendar, now: datetime
) -> int:
    """Write the new status and its SLA clock; the case's new version."""
    clock = move_clock(
        calendar,
        Clock(
            due_at=case["due_at"],
            paused_since=case["paused_since"],
            closed_at=case["closed_at"],
            paused_working_days=case["paused_working_days"],
        ),
        target,
        now,
    )
    # Only a completion has a time to completion (a rejection or a cancellation is not one).
    taken = working_days_taken(calendar, case["created_at"], clock) if target.phase == "completed" else None
    version: int = await connection.fetchval(
        _MOVE,
        case["id"],
        target.code,
        target.phase,
        clock.due_at,
        clock.paused_since,
        clock.closed_at,
        clock.paused_working_days,
        taken,
    )
    return version


async def _hand_over(
    connection: asyncpg.Connection,
    case: asyncpg.Record,
    target: State,
    opd_code: str | None,
    calendar: WorkingCalendar,
    now: datetime,
) -> None:
    """Give a rerouted case to its new agency, which gets the whole SLA again, counted from now."""
    sla_days = case["sla_days"]
    due_at = calendar.due_at(now, sla_days) if sla_days is not None else None
    await connection.execute(_REROUTE, case["id"], opd_code, due_at, now if target.pauses_sla else None)


async def _record(
    connection: asyncpg.Connection,
    actor: CaseActor,
    case: asyncpg.Record,
    transition: Transition,
    target: State,
    note: str | None,
    opd_code: str | None,
) -> None:
    """The timeline and audit entries, the resident's notification when the transition sends one,
    and the staff's when the resident took it."""
    await record_event(
        connection,
        actor,
        case["id"],
        "transition",
        action=transition.action,
        from_status=case["status"],
        to_status=target.code,
        note=note,
        audit_details={"opd": opd_code} if transition.reroutes else None,
    )
    if transition.notify is not None:
        await notify_resident(
            connection,
            case["resident_id"],
            case["id"],
            source=case["module"],
            template=transition.notify,
            params={"reference": case["reference"], "status": target.code},
            followers=True,
        )
    if actor.role == "resident":
        await tell_holder_of_resident_action(connection, case["id"], case["reference"], target.code)


async def _check_new_agency(connection: asyncpg.Connection, reroutes: bool, opd_code: str | None, current: str) -> None:
    if not reroutes:
        problem = ("Tindakan ini tidak meneruskan ke OPD lain", "This action does not hand the case to another agency")
    elif opd_code is None:
        problem = ("Pilih OPD tujuan", "Name the agency to hand the case to")
    elif opd_code == current:
        problem = ("OPD tujuan sama dengan OPD sekarang", "The case is already with this agency")
    else:
        await require_agency(connection, opd_code)
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
