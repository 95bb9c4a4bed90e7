"""The worker's escalation step: each due step of each overdue case's chain, taken once.

Run by the worker every minute (the `sweep_overdue_cases` task). A round reads the open, running
cases past their due time whose chain is not finished, a page at a time (keyset on due time and
id), works out in the region's calendar which of their steps are due, and takes those in one
transaction per page: the cases are locked with SKIP LOCKED (a case another worker holds is left
to it, or to the next round), their done steps read again, and each step written in one
statement: its record, an internal timeline entry, an audit entry and a notification to each of
its staff. The record's primary key (case, step) is the last guard against telling anyone twice.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import structlog

from serang_app.cases.calendar import WorkingCalendar
from serang_app.cases.sla_clock import CalendarSource
from serang_app.db.pool import Database
from serang_app.escalation.chains import Chains, all_chains
from serang_app.escalation.schemas import Step
from serang_app.escalation.timing import steps_to_take

logger = structlog.get_logger("serang_app.worker")

PAGE_SIZE = 500
_BEFORE_ANY = (datetime.min.replace(tzinfo=UTC), uuid.UUID(int=0))

# Open, running, past due, and the last step of the agency's chain (its own or the default) not taken.
_CANDIDATES = """
WITH last_steps AS (SELECT opd_code, max(position) AS last FROM escalation_steps GROUP BY opd_code)
SELECT c.id, c.opd_code, c.due_at, c.overdue_notified_at IS NOT NULL AS told_before,
       ARRAY(SELECT d.position FROM case_escalation_steps d WHERE d.case_id = c.id) AS done
FROM cases c
WHERE c.closed_at IS NULL AND c.paused_since IS NULL AND c.due_at IS NOT NULL AND c.due_at <= $1
  AND (c.due_at, c.id) > ($2::timestamptz, $3::uuid)
  AND NOT EXISTS (
      SELECT 1 FROM case_escalation_steps d
      WHERE d.case_id = c.id AND d.position >= coalesce(
          (SELECT last FROM last_steps WHERE opd_code = c.opd_code),
          (SELECT last FROM last_steps WHERE opd_code IS NULL)))
ORDER BY c.due_at, c.id
LIMIT $4
"""
# The same conditions, again under the lock: a case closed, paused or moved meanwhile is left.
_LOCK = """
SELECT id, opd_code, due_at, overdue_notified_at IS NOT NULL AS told_before
FROM cases
WHERE id = ANY($1::uuid[]) AND closed_at IS NULL AND paused_since IS NULL AND due_at IS NOT NULL AND due_at <= $2
ORDER BY id
FOR UPDATE SKIP LOCKED
"""
# Read after the lock, in a statement of its own: its snapshot sees what another worker committed.
_DONE = "SELECT case_id, position FROM case_escalation_steps WHERE case_id = ANY($1::uuid[])"

# One statement for a page's steps: all of it or nothing. A step of 0 working days is the case
# falling due, told with the template of the overdue notice before the chain (case.overdue).
_TAKE = """
WITH due AS (
    SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::smallint[], $4::text[], $5::boolean[])
        AS d(case_id, position, after_working_days, notify, announce)
), done AS (
    INSERT INTO case_escalation_steps (case_id, position, after_working_days, notify, done_at)
    SELECT case_id, position, after_working_days, notify, $6 FROM due
    ON CONFLICT (case_id, position) DO NOTHING
    RETURNING case_id, position
), taken AS (
    SELECT due.case_id, due.position, due.after_working_days, due.notify, c.reference, c.opd_code,
           CASE WHEN due.after_working_days = 0 THEN 'case.overdue' ELSE 'case.escalated' END AS template
    FROM done JOIN due USING (case_id, position) JOIN cases c ON c.id = due.case_id
    WHERE due.announce
), recipients AS (
    SELECT t.case_id, t.position, s.id AS staff_id
    FROM taken t JOIN staff s ON s.is_active AND CASE t.notify
        WHEN 'supervisors' THEN s.role = 'supervisor' AND s.opd_code = t.opd_code AND NOT s.is_agency_head
        WHEN 'agency_head' THEN s.role = 'supervisor' AND s.opd_code = t.opd_code AND s.is_agency_head
        WHEN 'integrating_agency' THEN s.role = 'admin'
        ELSE false
    END
), counted AS (
    SELECT t.*, (SELECT count(*) FROM recipients r WHERE r.case_id = t.case_id AND r.position = t.position) AS told
    FROM taken t
), notified AS (
    INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
    SELECT 'staff', r.staff_id, t.case_id, 'core', t.template,
           jsonb_build_object('reference', t.reference, 'working_days', t.after_working_days)
    FROM recipients r JOIN taken t USING (case_id, position)
), timeline AS (
    INSERT INTO case_events (case_id, at, kind, action, actor_kind, actor_role, is_public)
    SELECT case_id, $6, 'overdue', 'escalate_to_' || notify, 'system', 'system', false
    FROM taken ORDER BY case_id, position
), audit AS (
    INSERT INTO audit_log (actor_kind, action, object_type, object_id, details)
    SELECT 'system', 'case.escalated', 'case', case_id::text,
           jsonb_build_object('step', position, 'notify', notify, 'after_working_days', after_working_days,
                              'recipients', told)
    FROM counted
), marked AS (
    UPDATE cases SET overdue_notified_at = $6
    WHERE id IN (SELECT case_id FROM done) AND overdue_notified_at IS NULL
)
SELECT case_id, position, notify, opd_code, told FROM counted
"""


@dataclass(frozen=True, slots=True)
class _Candidate:
    id: uuid.UUID
    opd_code: str
    due_at: datetime
    told_before: bool


async def sweep_escalations(database: Database, calendars: CalendarSource, now: datetime) -> int:
    """Take every escalation step due at `now`; returns how many were taken (silent ones too).

    `now` is the engine's clock (CaseEngine.now): tests pass a later one to see a chain run.
    """
    taken = 0
    async with database.acquire() as connection:
        calendar = await calendars.get(connection)
        chains = await all_chains(connection)
        after = _BEFORE_ANY
        while True:
            page = await connection.fetch(_CANDIDATES, now, *after, PAGE_SIZE)
            due = [
                row["id"]
                for row in page
                if steps_to_take(
                    calendar,
                    chains.of(row["opd_code"]),
                    set(row["done"]),
                    case_due_at=row["due_at"],
                    told_before=row["told_before"],
                    now=now,
                )
            ]
            if due:
                taken += await _take_steps(connection, due, calendar, chains, now)
            if len(page) < PAGE_SIZE:
                return taken
            after = (page[-1]["due_at"], page[-1]["id"])


async def _take_steps(
    connection: asyncpg.Connection, case_ids: list[uuid.UUID], calendar: WorkingCalendar, chains: Chains, now: datetime
) -> int:
    async with connection.transaction():
        locked = [_Candidate(**dict(row)) for row in await connection.fetch(_LOCK, case_ids, now)]
        if not locked:
            return 0
        done: dict[uuid.UUID, set[int]] = {}
        for row in await connection.fetch(_DONE, [case.id for case in locked]):
            done.setdefault(row["case_id"], set()).add(row["position"])
        rows: list[tuple[uuid.UUID, Step, bool]] = []
        for case in locked:
            steps = steps_to_take(
                calendar,
                chains.of(case.opd_code),
                done.get(case.id, set()),
                case_due_at=case.due_at,
                told_before=case.told_before,
                now=now,
            )
            rows += [(case.id, step, True) for step in steps.announced]
            rows += [(case.id, step, False) for step in steps.silent]
        if not rows:
            return 0
        announced = await connection.fetch(_TAKE, *_columns(rows), now)
    _log(announced)
    return len(rows)


def _columns(rows: Sequence[tuple[uuid.UUID, Step, bool]]) -> tuple[list[object], ...]:
    return (
        [case_id for case_id, _, _ in rows],
        [step.position for _, step, _ in rows],
        [step.after_working_days for _, step, _ in rows],
        [step.notify for _, step, _ in rows],
        [announce for _, _, announce in rows],
    )


def _log(announced: Sequence[asyncpg.Record]) -> None:
    # A step nobody could be told of (an agency without a head, say) is worth an operator's look:
    # one line per agency and step, codes only, never names.
    unheard = Counter((row["opd_code"], row["position"], row["notify"]) for row in announced if row["told"] == 0)
    for (opd_code, position, notify), cases in sorted(unheard.items()):
        logger.warning(
            "escalation_step_without_recipients", opd_code=opd_code, step=position, notify=notify, cases=cases
        )
