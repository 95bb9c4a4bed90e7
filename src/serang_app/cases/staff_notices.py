"""Which staff hear of a case change, written as notifications (recipient_kind 'staff') in the
transaction of the change. Their push jobs come from the database (migration 0025: every staff
notification gets one, whoever writes it), so these statements write the notification alone, as
the overdue sweep does.

Who hears what (docs/notifications.md, "Staff"):
- a case new to an agency (opened there, or forwarded to it): its active officers and supervisors,
  at most NEW_CASE_RECIPIENTS of them;
- a case given to someone: that person, unless they took it themselves;
- a resident's action on a case (an answer, a resubmission, a reopening, a withdrawal): the staff
  member who holds it, or when nobody does, the one of its agency who last acted on it.
"""

from __future__ import annotations

import uuid

import asyncpg

# Enough for every officer of an agency as they are staffed; beyond it, supervisors first, then
# the officers whose phones checked in last (those using the app), so one busy agency with a
# hundred accounts does not write a hundred rows per complaint. The agency's case list
# (GET /v1/staff/cases) shows every case to everyone anyway.
NEW_CASE_RECIPIENTS = 50

# {case}, {opd_code}, {params} and {limit}: SQL expressions (parameters, or a case just inserted
# in the same statement: cases/opening.py writes this as a CTE of the statement opening the case).
NEW_CASE_FROM = """
INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
SELECT 'staff', s.id, {case}, 'core', 'case.new', {params}
FROM staff s
WHERE s.opd_code = {opd_code} AND s.is_active AND s.role IN ('officer', 'supervisor')
ORDER BY s.role = 'supervisor' DESC,
         (SELECT max(d.refreshed_at) FROM staff_devices d WHERE d.staff_id = s.id) DESC NULLS LAST,
         s.created_at, s.id
LIMIT {limit}
"""
_NEW_CASE = NEW_CASE_FROM.format(case="$1", opd_code="$2", params="$3", limit="$4")
_ASSIGNED = """
INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
SELECT 'staff', s.id, $2, 'core', 'case.assigned', $3 FROM staff s WHERE s.id = $1 AND s.is_active
"""
# The case's holder, else the last staff member of its agency to act on it (the officer who asked
# for the revision the resident now answers).
_RESIDENT_ACTED = """
INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
SELECT 'staff', holder.id, $1, 'core', 'case.resident_answered', $2
FROM (
    (SELECT s.id, 0 AS rank FROM cases c JOIN staff s ON s.id = c.assignee_id AND s.is_active WHERE c.id = $1)
    UNION ALL
    (SELECT s.id, 1 FROM case_events e
     JOIN cases c ON c.id = e.case_id
     JOIN staff s ON s.id = e.actor_id AND s.is_active AND s.opd_code = c.opd_code
     WHERE e.case_id = $1 AND e.actor_kind = 'staff'
     ORDER BY e.id DESC LIMIT 1)
) holder
ORDER BY holder.rank
LIMIT 1
"""


async def tell_agency_of_new_case(
    connection: asyncpg.Connection, case_id: uuid.UUID, opd_code: str, reference: str, status: str
) -> None:
    await connection.execute(
        _NEW_CASE, case_id, opd_code, {"reference": reference, "status": status}, NEW_CASE_RECIPIENTS
    )


async def tell_assignee(
    connection: asyncpg.Connection,
    case_id: uuid.UUID,
    reference: str,
    assignee_id: uuid.UUID | None,
    assigned_by: uuid.UUID | None,
) -> None:
    if assignee_id is None or assignee_id == assigned_by:  # back to the pool, or taken by oneself
        return
    await connection.execute(_ASSIGNED, assignee_id, case_id, {"reference": reference})


async def tell_holder_of_resident_action(
    connection: asyncpg.Connection, case_id: uuid.UUID, reference: str, status: str
) -> None:
    await connection.execute(_RESIDENT_ACTED, case_id, {"reference": reference, "status": status})
