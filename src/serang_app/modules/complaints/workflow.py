"""The life of a complaint, declared as data for the case core.

submitted -> verified -> in progress -> resolved -> closed (by the resident's rating, or by itself
after CLOSE_AFTER_DAYS); rejected with a reason; forwarded to another agency (the SLA starts
again); waiting for the resident (the SLA clock stops); reopened by the resident while resolved
(the window is the days before it closes by itself); merged into another complaint (through the
module's own route, which names the surviving one); withdrawn by the resident before work starts.
"""

from __future__ import annotations

from serang_app.api import Actor, State, Text, Transition, Workflow

STAFF: tuple[Actor, ...] = ("officer", "supervisor", "admin")
OPEN_FOR_WORK = ("submitted", "verified", "in_progress")


def complaint_workflow(close_after_days: int) -> Workflow:
    return Workflow(
        code="complaint",
        reference_prefix="ADU",
        # The complaint is keyed by its case id.
        object_kind="complaint",
        object_path="/v1/complaints/{case_id}",
        initial="submitted",
        states=(
            State(code="submitted", phase="submitted", title=Text(id="Diterima", en="Received")),
            State(code="verified", phase="in_progress", title=Text(id="Terverifikasi", en="Verified")),
            State(code="in_progress", phase="in_progress", title=Text(id="Dikerjakan", en="In progress")),
            State(
                code="waiting",
                phase="waiting_for_resident",
                title=Text(id="Menunggu keterangan Anda", en="Waiting for you"),
                pauses_sla=True,
            ),
            State(code="resolved", phase="completed", title=Text(id="Selesai ditangani", en="Resolved")),
            State(code="closed", phase="completed", title=Text(id="Ditutup", en="Closed")),
            State(code="rejected", phase="rejected", title=Text(id="Ditolak", en="Rejected")),
            State(code="merged", phase="cancelled", title=Text(id="Digabung dengan laporan lain", en="Merged")),
            State(code="withdrawn", phase="cancelled", title=Text(id="Dibatalkan pelapor", en="Withdrawn")),
        ),
        transitions=(
            Transition(
                action="verify",
                title=Text(id="Verifikasi", en="Verify"),
                source=("submitted",),
                target="verified",
                actors=STAFF,
                notify="complaints.verified",
            ),
            Transition(
                action="start_work",
                title=Text(id="Mulai kerjakan", en="Start work"),
                source=("verified",),
                target="in_progress",
                actors=STAFF,
                notify="complaints.in_progress",
            ),
            Transition(
                action="ask_resident",
                title=Text(id="Minta keterangan", en="Ask the resident"),
                source=("verified", "in_progress"),
                target="waiting",
                actors=STAFF,
                requires_note=True,
                notify="complaints.question",
            ),
            Transition(
                action="answer",
                title=Text(id="Kirim keterangan", en="Answer"),
                source=("waiting",),
                target="in_progress",
                actors=("resident",),
                requires_note=True,
            ),
            Transition(
                action="resolve",
                title=Text(id="Tandai selesai", en="Mark resolved"),
                source=("verified", "in_progress"),
                target="resolved",
                actors=STAFF,
                # The resolution note is what the resident reads; the public reads the status title.
                requires_note=True,
                notify="complaints.resolved",
            ),
            Transition(
                action="reopen",
                title=Text(id="Buka kembali", en="Reopen"),
                source=("resolved",),
                target="in_progress",
                actors=("resident",),
                requires_note=True,
            ),
            Transition(
                action="close",
                title=Text(id="Tutup", en="Close"),
                source=("resolved",),
                target="closed",
                actors=("system",),
                when_rated=True,
                after_days=close_after_days,
            ),
            Transition(
                action="reject",
                title=Text(id="Tolak", en="Reject"),
                source=("submitted", "verified"),
                target="rejected",
                actors=STAFF,
                requires_note=True,
                notify="complaints.rejected",
            ),
            Transition(
                action="forward",
                title=Text(id="Teruskan ke OPD lain", en="Forward to another agency"),
                source=("submitted", "verified"),
                target="submitted",
                actors=STAFF,
                requires_note=True,
                reroutes=True,
                notify="complaints.forwarded",
            ),
            Transition(
                action="merge",
                title=Text(id="Gabungkan (laporan ganda)", en="Merge (duplicate)"),
                source=OPEN_FOR_WORK,
                target="merged",
                actors=STAFF,
                module_route_only=True,
                notify="complaints.merged",
            ),
            Transition(
                action="withdraw",
                title=Text(id="Batalkan laporan", en="Withdraw"),
                source=("submitted",),
                target="withdrawn",
                actors=("resident",),
            ),
        ),
    )


TEMPLATES: dict[str, Text] = {
    "complaints.verified": Text(
        id="Laporan {reference} sudah diverifikasi petugas.", en="Your report {reference} has been verified."
    ),
    "complaints.in_progress": Text(
        id="Laporan {reference} sedang dikerjakan.", en="Work on your report {reference} has started."
    ),
    "complaints.question": Text(
        id="Petugas membutuhkan keterangan untuk laporan {reference}.",
        en="An officer needs more information on report {reference}.",
    ),
    "complaints.resolved": Text(
        id="Laporan {reference} selesai ditangani. Beri penilaian Anda.",
        en="Report {reference} has been resolved. Please rate it.",
    ),
    "complaints.rejected": Text(
        id="Laporan {reference} tidak dapat ditindaklanjuti.", en="Report {reference} cannot be acted on."
    ),
    "complaints.forwarded": Text(
        id="Laporan {reference} diteruskan ke OPD yang berwenang.",
        en="Report {reference} was passed to the responsible agency.",
    ),
    # Moderation (moderation.py): the reporter reads what staff hid from the public and why.
    "complaints.text_hidden": Text(
        id="Uraian laporan {reference} disembunyikan dari umum oleh petugas. Alasan: {reason}",
        en="Staff hid the description of your report {reference} from the public. Reason: {reason}",
    ),
    "complaints.text_restored": Text(
        id="Uraian laporan {reference} kembali ditampilkan untuk umum. Alasan: {reason}",
        en="The description of your report {reference} is shown to the public again. Reason: {reason}",
    ),
    "complaints.photo_hidden": Text(
        id="Sebuah foto laporan {reference} disembunyikan dari umum oleh petugas. Alasan: {reason}",
        en="Staff hid a photo of your report {reference} from the public. Reason: {reason}",
    ),
    "complaints.photo_restored": Text(
        id="Foto laporan {reference} kembali ditampilkan untuk umum. Alasan: {reason}",
        en="A photo of your report {reference} is shown to the public again. Reason: {reason}",
    ),
    "complaints.merged": Text(
        id="Laporan {reference} digabung dengan laporan lain tentang masalah yang sama; Anda tetap mendapat kabar.",
        en="Report {reference} was merged with another report of the same problem; you will still be kept informed.",
    ),
}


# State titles do not depend on the settings the workflow is built with.
_TITLES = {state.code: state.title for state in complaint_workflow(close_after_days=7).states}


def status_title(status: str) -> Text:
    return _TITLES.get(status, Text(id=status, en=status))
