"""The escalation domain: the chains' admin routes, permissions, the worker's step and its template."""

from __future__ import annotations

import structlog

from serang_app.auth.permissions import Permission
from serang_app.bilingual import Text
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.escalation.routes import EscalationController
from serang_app.escalation.sweep import sweep_escalations
from serang_app.worker.context import WorkerContext

logger = structlog.get_logger("serang_app.worker")


async def sweep_overdue_cases(context: WorkerContext) -> None:
    """The worker's step: every escalation step due at the engine's clock (CaseEngine.now), so a
    test replacing the engine's clock sees the chain run at the time it chose."""
    if context.cases is None:  # a worker without the case core's engine has no calendar to count in
        return
    taken = await sweep_escalations(context.database, context.cases.calendars, context.cases.now())
    if taken:
        logger.info("escalation_steps_taken", count=taken)


ESCALATION = CoreDomain(
    name="escalation",
    signed_in_routes=(EscalationController,),
    permissions=(
        Permission("escalation.read", ("officer", "supervisor", "admin"), "Read the escalation chain of one's agency"),
        Permission("escalation.manage", ("admin",), "Read and replace every escalation chain"),
    ),
    tasks=(
        # Steps fall due at local midnight, counted in working days: a minute late is on time. The
        # name is the one the overdue notice's task had, which dashboards and alerts watch.
        PeriodicTask("sweep_overdue_cases", 60, sweep_overdue_cases),
    ),
    templates={
        # A step of N > 0 working days past due (a step of 0 sends the cases domain's case.overdue).
        "case.escalated": Text(
            id="Permohonan {reference} sudah {working_days} hari kerja melewati batas waktu layanan dan kini diteruskan kepada Anda.",
            en="Case {reference} is {working_days} working days past its service deadline and is now escalated to you.",
        ),
    },
)
