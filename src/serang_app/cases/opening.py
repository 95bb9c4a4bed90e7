"""Opening a case: what a module calls, inside its own transaction, when a resident submits.

The module then writes its own detail rows keyed by the returned case id in the same transaction,
so a case never exists without its detail or the other way round.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import record_event
from serang_app.cases.staff_notices import tell_agency_of_new_case
from serang_app.cases.workflow import FINAL_PHASES
from serang_app.http.problems import ApiError

_SERVICE = "SELECT module, opd_code, sla_days, is_open FROM catalogue_services WHERE code = $1"
_NEXT_NUMBER = """
INSERT INTO case_reference_counters (prefix, period, last_value) VALUES ($1, $2, 1)
ON CONFLICT (prefix, period) DO UPDATE SET last_value = case_reference_counters.last_value + 1
RETURNING last_value
"""
_INSERT_CASE = """
INSERT INTO cases (id, reference, module, workflow, service_code, resident_id, opd_code, district_code,
                   status, phase, sla_days, due_at, paused_since, closed_at, created_at, updated_at, is_public,
                   object_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)
"""


@dataclass(frozen=True, slots=True)
class OpenedCase:
    id: uuid.UUID
    reference: str
    status: str
    due_at: datetime | None


async def open_case(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    *,
    module: str,
    workflow: str,
    service_code: str,
    district_code: str | None = None,
    opd_code: str | None = None,
    sla_days: int | None = None,
    is_public: bool = False,
    object_id: uuid.UUID | None = None,
) -> OpenedCase:
    """Open a case for the resident `actor` in the workflow's initial state.

    The owning agency and the SLA come from the catalogue entry (which admins may edit); a module
    that routes by its own rules (a complaint category) passes `opd_code`, and `sla_days` when it
    keeps its own SLA (the category's). `is_public` lets
    anyone see the thumbnails of the case's photos (a complaint reported as public). `object_id`:
    the id of the module's own object for this case (a permit application), which fills
    `{object_id}` in the workflow's `object_path`; without it the case id does.
    """
    if actor.role != "resident" or actor.id is None:
        raise ValueError("cases are opened for a signed-in resident")
    registered = engine.workflows.get(module, workflow)
    if registered is None:
        raise ValueError(f"module {module!r} declares no workflow {workflow!r}")
    service = await connection.fetchrow(_SERVICE, service_code)
    if service is None or service["module"] != module:
        raise ValueError(f"service {service_code!r} does not belong to module {module!r}")
    if not service["is_open"]:
        raise ApiError(409, "service_closed", params={"service": service_code})
    initial = registered.states[registered.workflow.initial]
    now = engine.now()
    calendar = await engine.calendars.get(connection)
    if sla_days is None:
        sla_days = service["sla_days"]
    due_at = calendar.due_at(now, sla_days) if sla_days is not None else None
    reference = await _next_reference(connection, registered.workflow.reference_prefix, now.astimezone(engine.zone))
    case_id = uuid.uuid4()
    owner = opd_code or service["opd_code"]
    await connection.execute(
        _INSERT_CASE,
        case_id,
        reference,
        module,
        workflow,
        service_code,
        actor.id,
        owner,
        district_code,
        initial.code,
        initial.phase,
        sla_days,
        due_at,
        now if initial.pauses_sla else None,
        now if initial.phase in FINAL_PHASES else None,
        now,
        is_public,
        object_id,
    )
    await record_event(connection, actor, case_id, "created", to_status=initial.code)
    if registered.workflow.notify_staff_of_new_cases:
        await tell_agency_of_new_case(connection, case_id, owner, reference, initial.code)
    return OpenedCase(id=case_id, reference=reference, status=initial.code, due_at=due_at)


async def _next_reference(connection: asyncpg.Connection, prefix: str, local_now: datetime) -> str:
    # One counter row per prefix and month (the region's month): the row lock serialises openings
    # of one workflow until their transactions end, which keeps numbers gap-free and is far below
    # any real rate.
    period = local_now.strftime("%y%m")
    number: int = await connection.fetchval(_NEXT_NUMBER, prefix, period)
    return f"{prefix}-{period}-{number:06d}"
