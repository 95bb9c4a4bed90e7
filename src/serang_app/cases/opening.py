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
# The next reference number of the prefix and month, and the case under it, in one statement.
# The counter's row stays locked until the transaction ends (numbers are gap-free), so every
# round trip after this one holds up the next opening of the same workflow: the case's timeline
# and audit entries follow in one more statement, and the module's detail row in one after that
# (docs/performance.md, "The write paths").
_INSERT_CASE = """
WITH counter AS (
    INSERT INTO case_reference_counters (prefix, period, last_value) VALUES ($2, $18, 1)
    ON CONFLICT (prefix, period) DO UPDATE SET last_value = case_reference_counters.last_value + 1
    RETURNING last_value
)
INSERT INTO cases (id, reference, module, workflow, service_code, resident_id, opd_code, district_code,
                   status, phase, sla_days, due_at, paused_since, closed_at, created_at, updated_at, is_public,
                   object_id)
SELECT $1, $2 || '-' || $18 || '-' || lpad(last_value::text, greatest(6, length(last_value::text)), '0'),
       $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17
FROM counter
RETURNING reference
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
    prepared = await prepare_case(
        engine,
        connection,
        actor,
        module=module,
        workflow=workflow,
        service_code=service_code,
        district_code=district_code,
        opd_code=opd_code,
        sla_days=sla_days,
        is_public=is_public,
        object_id=object_id,
    )
    return await prepared.open(connection)


@dataclass(frozen=True, slots=True)
class PreparedCase:
    """A case checked and ready to open: everything open_case reads before it writes. A module
    that locks a row of its own before the case (a slot's seat) prepares the case before taking
    that lock and opens it after, so the reads do not hold up the next writer of that row."""

    actor: CaseActor
    module: str
    workflow: str
    service_code: str
    reference_prefix: str
    period: str  # the region's month, whose counter numbers the case
    opd_code: str | None
    district_code: str | None
    status: str
    phase: str
    sla_days: int | None
    due_at: datetime | None
    now: datetime
    pauses_sla: bool
    is_public: bool
    object_id: uuid.UUID | None
    # The workflow's Workflow.notify_staff_of_new_cases: the agency's staff hear of the new case.
    notify_staff: bool

    async def open(self, connection: asyncpg.Connection) -> OpenedCase:
        """Number and insert the case and write its timeline and audit entries (two statements),
        then tell the agency's staff when the workflow says so (a third)."""
        case_id = uuid.uuid4()
        reference: str = await connection.fetchval(
            _INSERT_CASE,
            case_id,
            self.reference_prefix,
            self.module,
            self.workflow,
            self.service_code,
            self.actor.id,
            self.opd_code,
            self.district_code,
            self.status,
            self.phase,
            self.sla_days,
            self.due_at,
            self.now if self.pauses_sla else None,
            self.now if self.phase in FINAL_PHASES else None,
            self.now,
            self.is_public,
            self.object_id,
            self.period,
        )
        await record_event(connection, self.actor, case_id, "created", to_status=self.status)
        if self.notify_staff and self.opd_code is not None:
            await tell_agency_of_new_case(connection, case_id, self.opd_code, reference, self.status)
        return OpenedCase(id=case_id, reference=reference, status=self.status, due_at=self.due_at)


async def prepare_case(
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
) -> PreparedCase:
    """open_case's checks and reads (the same arguments): 409 `service_closed`, ValueError for a
    module's mistake; `PreparedCase.open` then writes the case, in the same transaction."""
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
    return PreparedCase(
        actor=actor,
        module=module,
        workflow=workflow,
        service_code=service_code,
        reference_prefix=registered.workflow.reference_prefix,
        # One counter row per prefix and month (the region's month).
        period=now.astimezone(engine.zone).strftime("%y%m"),
        opd_code=opd_code or service["opd_code"],
        district_code=district_code,
        status=initial.code,
        phase=initial.phase,
        sla_days=sla_days,
        due_at=calendar.due_at(now, sla_days) if sla_days is not None else None,
        now=now,
        pauses_sla=initial.pauses_sla,
        is_public=is_public,
        object_id=object_id,
        notify_staff=registered.workflow.notify_staff_of_new_cases,
    )
