"""The life of a permit application once submitted, declared as data for the case core.

submitted -> in review -> (revision requested -> in review)* -> approved; or rejected with a
reason; or withdrawn by the applicant before approval. An approved application is issued (a
number, its validity, a verification code); staff may revoke an issued permit with a reason. Requesting a revision, resubmitting and
approving go through the module's own routes: they name the fields and documents to fix, check
the application again, and apply the type's rule that a supervisor approves.
"""

from __future__ import annotations

from serang_app.api import Actor, State, Text, Transition, Workflow

STAFF: tuple[Actor, ...] = ("officer", "supervisor", "admin")

PERMIT_WORKFLOW = Workflow(
    code="permit",
    reference_prefix="IZN",
    # The case is an application: staff and the applicant read it there (by either id).
    object_kind="application",
    object_path="/v1/permits/applications/{object_id}",
    initial="submitted",
    states=(
        State(code="submitted", phase="submitted", title=Text(id="Diajukan", en="Submitted")),
        State(code="in_review", phase="in_progress", title=Text(id="Diperiksa", en="In review")),
        State(
            code="revision_requested",
            phase="waiting_for_resident",
            title=Text(id="Perlu perbaikan", en="Revision requested"),
            pauses_sla=True,
        ),
        State(code="approved", phase="in_progress", title=Text(id="Disetujui", en="Approved")),
        State(code="issued", phase="completed", title=Text(id="Terbit", en="Issued")),
        State(code="revoked", phase="cancelled", title=Text(id="Dicabut", en="Revoked")),
        State(code="rejected", phase="rejected", title=Text(id="Ditolak", en="Rejected")),
        State(code="withdrawn", phase="cancelled", title=Text(id="Dibatalkan pemohon", en="Withdrawn")),
    ),
    transitions=(
        Transition(
            action="start_review",
            title=Text(id="Mulai periksa", en="Start the review"),
            source=("submitted",),
            target="in_review",
            actors=STAFF,
            notify="permits.in_review",
        ),
        Transition(
            action="request_revision",
            title=Text(id="Minta perbaikan", en="Request a revision"),
            source=("in_review",),
            target="revision_requested",
            actors=STAFF,
            requires_note=True,
            module_route_only=True,
            notify="permits.revision",
        ),
        Transition(
            action="resubmit",
            title=Text(id="Kirim perbaikan", en="Resubmit"),
            source=("revision_requested",),
            target="in_review",
            actors=("resident",),
            module_route_only=True,
        ),
        Transition(
            action="approve",
            title=Text(id="Setujui", en="Approve"),
            source=("in_review",),
            target="approved",
            actors=STAFF,
            module_route_only=True,
            notify="permits.approved",
        ),
        Transition(
            action="issue",
            title=Text(id="Terbitkan", en="Issue"),
            source=("approved",),
            target="issued",
            actors=STAFF,
            module_route_only=True,
            notify="permits.issued",
        ),
        Transition(
            action="revoke",
            title=Text(id="Cabut izin", en="Revoke"),
            source=("issued",),
            target="revoked",
            actors=STAFF,
            requires_note=True,
            module_route_only=True,
            notify="permits.revoked",
        ),
        Transition(
            action="reject",
            title=Text(id="Tolak", en="Reject"),
            source=("submitted", "in_review"),
            target="rejected",
            actors=STAFF,
            requires_note=True,
            notify="permits.rejected",
        ),
        Transition(
            action="withdraw",
            title=Text(id="Batalkan permohonan", en="Withdraw"),
            source=("submitted", "in_review", "revision_requested"),
            target="withdrawn",
            actors=("resident",),
        ),
    ),
)

TEMPLATES: dict[str, Text] = {
    "permits.in_review": Text(
        id="Permohonan {reference} sedang diperiksa.", en="Application {reference} is in review."
    ),
    "permits.revision": Text(
        id="Permohonan {reference} perlu perbaikan; lihat catatan petugas.",
        en="Application {reference} needs changes; see the officer's note.",
    ),
    "permits.approved": Text(id="Permohonan {reference} disetujui.", en="Application {reference} was approved."),
    # Every service defined as data uses these texts (a recommendation, a card, a permit): what is
    # issued is "the document of application ...", which for a permit is the permit, as before.
    "permits.issued": Text(
        id="Dokumen hasil permohonan {reference} sudah terbit; unduh di aplikasi.",
        en="The document for application {reference} has been issued; download it in the app.",
    ),
    "permits.expiring": Text(
        id="Dokumen {number} (permohonan {reference}) berakhir dalam 30 hari; ajukan perpanjangan bila perlu.",
        en="Document {number} (application {reference}) ends in 30 days; apply to renew it if needed.",
    ),
    "permits.revoked": Text(
        id="Dokumen hasil permohonan {reference} dicabut.",
        en="The document issued for application {reference} was revoked.",
    ),
    "permits.rejected": Text(
        id="Permohonan {reference} tidak dapat disetujui.", en="Application {reference} could not be approved."
    ),
}
