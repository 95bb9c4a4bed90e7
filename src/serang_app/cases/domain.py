"""The cases domain: the case core's routes, permissions, timers, templates and problems."""

from __future__ import annotations

import structlog

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.cases.closed_dates import ClosedDateController
from serang_app.cases.resident_routes import list_my_cases
from serang_app.cases.routes import CaseController
from serang_app.cases.staff_routes import StaffCaseController
from serang_app.cases.timers import take_timed_transitions
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.worker.context import WorkerContext

logger = structlog.get_logger("serang_app.worker")


async def _take_timed_transitions(context: WorkerContext) -> None:
    if context.cases is not None:
        moved = await take_timed_transitions(context.database, context.cases)
        if moved:
            logger.info("timed_transitions_taken", count=moved)


CASES = CoreDomain(
    name="cases",
    signed_in_routes=(list_my_cases, CaseController, StaffCaseController, ClosedDateController),
    permissions=(
        Permission("cases.own", ("resident",), "List one's own cases"),
        Permission("cases.rate", ("resident",), "Rate one's own completed cases"),
        Permission(
            "cases.read", ("resident", "officer", "supervisor", "admin"), "Read a case one may see (checked per case)"
        ),
        Permission(
            "cases.act", ("resident", "officer", "supervisor", "admin"), "Take workflow actions (checked per action)"
        ),
        Permission("cases.work", ("officer", "supervisor", "admin"), "Work the agency's inbox: assign and comment"),
        Permission("calendar.manage", ("admin",), "Close and reopen days for SLA counting"),
    ),
    tasks=(
        # Timed transitions count whole days; a minute late is on time.
        PeriodicTask("take_timed_transitions", 60, _take_timed_transitions),
    ),
    # The core's own notification templates (source "core"): placeholders are filled from the
    # notification's params.
    templates={
        "case.comment": Text(
            id="Ada tanggapan baru pada permohonan {reference}.",
            en="There is a new reply on your request {reference}.",
        ),
        # The first step of the escalation chain, when a case falls due (escalation/).
        "case.overdue": Text(
            id="Permohonan {reference} melewati batas waktu layanan.",
            en="Case {reference} is past its service deadline.",
        ),
        "case.status_changed": Text(
            id="Status permohonan {reference} kini: {status}.",
            en="The status of your request {reference} is now: {status}.",
        ),
        # To staff (cases/staff_notices.py).
        "case.new": Text(
            id="Permohonan baru {reference} masuk ke instansi Anda.",
            en="New case {reference} for your agency.",
        ),
        "case.assigned": Text(
            id="Permohonan {reference} ditugaskan kepada Anda.",
            en="Case {reference} has been assigned to you.",
        ),
        "case.resident_answered": Text(
            id="Pemohon menindaklanjuti permohonan {reference}; statusnya kini: {status}.",
            en="The resident acted on case {reference}; it is now: {status}.",
        ),
    },
    problems={
        "case_action_not_allowed": ProblemText(
            title=Text(id="Tindakan tidak tersedia", en="Action not available"),
            detail=Text(
                id="Tindakan {action} tidak dapat dilakukan pada status {status}. Lihat allowed_actions.",
                en="Action {action} cannot be taken in status {status}. See allowed_actions.",
            ),
        ),
        "case_action_forbidden": ProblemText(
            title=Text(id="Tindakan tidak diizinkan", en="Action not permitted"),
            detail=Text(
                id="Peran Anda tidak boleh melakukan tindakan {action} pada permohonan ini.",
                en="Your role may not take action {action} on this case.",
            ),
        ),
        "case_assignment_forbidden": ProblemText(
            title=Text(id="Penugasan tidak diizinkan", en="Assignment not permitted"),
            detail=Text(
                id=(
                    "Petugas hanya dapat mengambil permohonan yang belum ditangani siapa pun, atau "
                    "mengembalikan permohonan yang ia tangani sendiri. Minta supervisor untuk mengalihkannya."
                ),
                en=(
                    "Officers may only take a case nobody holds, or give back one they hold themselves. Ask a"
                    " supervisor to reassign it."
                ),
            ),
        ),
        "case_not_rateable": ProblemText(
            title=Text(id="Belum dapat dinilai", en="Not ready for rating"),
            detail=Text(
                id="Permohonan hanya dapat dinilai setelah selesai.",
                en="A case can be rated only once it is completed.",
            ),
        ),
        "case_already_rated": ProblemText(
            title=Text(id="Sudah dinilai", en="Already rated"),
            detail=Text(
                id="Permohonan ini sudah Anda nilai.",
                en="You have already rated this case.",
            ),
        ),
        "service_closed": ProblemText(
            title=Text(id="Layanan ditutup", en="Service closed"),
            detail=Text(
                id="Layanan {service} sedang tidak menerima permohonan baru.",
                en="Service {service} is not accepting new requests at the moment.",
            ),
        ),
    },
)
