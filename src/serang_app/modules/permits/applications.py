"""Applications: drafted over several sessions (answers, documents), checked in full on
submission, then a case; fixed and resubmitted when an officer asks for a revision."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from serang_app.api import (
    ApiError,
    CaseActor,
    CaseEngine,
    Conditions,
    Keyset,
    LocalizedFieldError,
    UploadOwner,
    answer_problems,
    answer_text_problems,
    link_used_uploads,
    open_case,
    release_uploads,
    take_action,
    use_uploads,
)
from serang_app.modules.permits.eligibility import require_eligible
from serang_app.modules.permits.schemas import (
    AnswerChanges,
    Application,
    ApplicationPage,
    AppointmentBooking,
    DocumentChoice,
    RevisionRequest,
)
from serang_app.modules.permits.search_words import index_application_words
from serang_app.modules.permits.shapes import issued_permit, revision_asked, timeline_note
from serang_app.modules.permits.versions import ServiceVersion, filed_version, latest_version
from serang_app.modules.permits.visibility import without_hidden

SERVICE = "permits.apply"
MODULE = "permits"
WORKFLOW = "permit"
# Where the applicant may still change answers and documents.
EDITABLE = frozenset({"draft", "revision_requested"})
_KIND_OF = {"application/pdf": "pdf", "image/jpeg": "image"}
# A resident's own applications, newest first.
_NEWEST_FIRST = Keyset("permits.applications", ("created_at", "id"), tuple[datetime, uuid.UUID])

_READ = """
SELECT a.id, a.resident_id, a.type_code, a.definition_version, a.answers, a.case_id, a.revision, a.created_at, a.updated_at,
       a.submitted_at, c.reference, c.status, c.opd_code,
       coalesce((SELECT jsonb_object_agg(d.document_code, d.upload_id) FROM permits.application_documents d
                 WHERE d.application_id = a.id), '{}') AS documents,
       i.number, i.issued_at, i.expires_at, i.revoked_at, i.verification_code, o.name AS opd_name
FROM permits.applications a LEFT JOIN core.cases c ON c.id = a.case_id
LEFT JOIN permits.issued i ON i.application_id = a.id
LEFT JOIN core.opds o ON o.code = c.opd_code
WHERE a.id = $1
"""


def _application(row: asyncpg.Record, kind: ServiceVersion | None, base_url: str) -> Application:
    return Application(
        id=row["id"],
        type_code=row["type_code"],
        definition_version=row["definition_version"],
        status=row["status"] or "draft",
        answers=row["answers"],
        documents={code: uuid.UUID(str(upload)) for code, upload in row["documents"].items()},
        case_id=row["case_id"],
        reference=row["reference"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
        revision=revision_asked(row["revision"], kind) if row["revision"] is not None and kind is not None else None,
        permit=issued_permit(row, base_url) if row["number"] is not None else None,
        appointment_service=_appointment_to_book(row, kind),
        appointment_booking=_booking(_appointment_to_book(row, kind)),
    )


def _appointment_to_book(row: asyncpg.Record, kind: ServiceVersion | None) -> str | None:
    link = kind.definition.appointment if kind is not None else None
    return link.service if link is not None and row["status"] == "issued" else None


def _booking(service: str | None) -> AppointmentBooking | None:
    """The appointments module's public routes (docs/appointments.md), named, never called."""
    if service is None:
        return None
    return AppointmentBooking(
        service=service,
        places="/v1/appointments/places",
        slots=f"/v1/appointments/slots?service={service}",
        book="/v1/appointments",
    )


async def create_draft(
    connection: asyncpg.Connection, resident_id: uuid.UUID, type_code: str, base_url: str
) -> Application:
    kind = await latest_version(connection, type_code)
    if kind is None or not kind.is_open:
        raise ApiError(
            422, errors=[LocalizedFieldError("type_code", "Jenis izin tidak dikenal", "Unknown permit type")]
        )
    application_id = await connection.fetchval(
        "INSERT INTO permits.applications (resident_id, type_code) VALUES ($1, $2) RETURNING id", resident_id, type_code
    )
    return await read_application(connection, CaseActor.resident(resident_id), application_id, base_url)


async def own_applications(
    connection: asyncpg.Connection, resident_id: uuid.UUID, limit: int, cursor: str | None, base_url: str
) -> ApplicationPage:
    """The resident's applications, newest first, keyset-paginated. A cursor names the list it
    came from, so another resident's is refused rather than read against this list."""
    own = Conditions()
    own.add("resident_id = ?", resident_id)
    rows, next_cursor = await _NEWEST_FIRST.page(limit, cursor, owner=resident_id).fetch(
        connection, "SELECT id, created_at FROM permits.applications", own
    )
    actor = CaseActor.resident(resident_id)
    items = [await read_application(connection, actor, row["id"], base_url) for row in rows]
    return ApplicationPage(items=items, next_cursor=next_cursor)


async def read_application(
    connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, base_url: str
) -> Application:
    """The application as its applicant and the agency see it; `base_url` is the public origin the
    verification URL of an issued permit starts with (`public_base_url`, never the request's Host)."""
    row = await visible_application(connection, actor, application_id)
    # The version names the titles of a revision's fields and documents, and the appointment to
    # book once a service ending with one is approved.
    completed_without_letter = row["status"] == "issued" and row["number"] is None
    needs_kind = row["revision"] is not None or completed_without_letter
    kind = await _version(connection, row) if needs_kind else None
    return _application(row, kind, base_url)


async def application_id_of(connection: asyncpg.Connection, some_id: uuid.UUID) -> uuid.UUID:
    """The application's id for a path holding either it or its case's id: staff reach an
    application from a case (the case's `module_object`, their inbox) and know only the case id.
    An unknown id comes back as it is, and is then 404 like any other."""
    found: uuid.UUID | None = await connection.fetchval(
        "SELECT id FROM permits.applications WHERE case_id = $1", some_id
    )
    return found or some_id


async def visible_application(
    connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID
) -> asyncpg.Record:
    """The applicant sees their application; staff see it once it is a case of their agency."""
    row = await connection.fetchrow(_READ, application_id)
    if row is None:
        raise ApiError(404)
    if actor.role == "resident":
        if row["resident_id"] != actor.id:
            raise ApiError(404)
    elif row["case_id"] is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        raise ApiError(404)
    return row


async def _editable(connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID) -> asyncpg.Record:
    """Inside a transaction: the row is locked before it is read, so that two submissions (or a
    submission and an edit) at once are taken one after the other, the second seeing the first."""
    await connection.execute("SELECT 1 FROM permits.applications WHERE id = $1 FOR UPDATE", application_id)
    row = await visible_application(connection, actor, application_id)
    if actor.role != "resident" or (row["status"] or "draft") not in EDITABLE:
        raise ApiError(409, "permits_not_editable")
    return row


async def change_answers(
    connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, changes: AnswerChanges, base_url: str
) -> Application:
    """Inside a transaction. Answers are checked in full on submission; here they are only kept,
    once their characters are allowed (what is kept may be printed and exported)."""
    row = await _editable(connection, actor, application_id)
    if problems := answer_text_problems(changes.answers, prefix="answers"):
        raise ApiError(422, errors=problems)
    answers = await connection.fetchval(
        """UPDATE permits.applications
           SET answers = jsonb_strip_nulls(answers || $2::jsonb), updated_at = now() WHERE id = $1
           RETURNING answers""",
        application_id,
        msgspec.to_builtins(changes.answers),
    )
    if row["case_id"] is not None:  # during a revision: staff find the application by its new answers
        kind = await _version(connection, row)
        await index_application_words(connection, row["case_id"], kind, answers)
    return await read_application(connection, actor, application_id, base_url)


async def choose_document(
    connection: asyncpg.Connection,
    actor: CaseActor,
    application_id: uuid.UUID,
    code: str,
    choice: DocumentChoice,
    base_url: str,
) -> Application:
    """Inside a transaction: the upload becomes the application's document `code` (replacing one
    chosen before, which is let go); it must be the applicant's own completed, unused
    `permit_document` upload of a kind the document takes."""
    row = await _editable(connection, actor, application_id)
    kind = await _version(connection, row)
    requirement = next((document for document in kind.documents if document.code == code), None)
    if requirement is None:
        raise ApiError(404)
    owner = UploadOwner.of(actor)
    content_type = await connection.fetchval(
        "SELECT content_type FROM core.uploads WHERE id = $1 AND resident_id = $2", choice.upload_id, actor.id
    )
    if content_type is not None and _KIND_OF.get(content_type) not in requirement.kinds:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "upload_id", "Jenis berkas tidak diterima untuk dokumen ini", "Not a kind this document takes"
                )
            ],
        )
    await use_uploads(connection, owner, [choice.upload_id], purposes=["permit_document"])
    previous = await connection.fetchval(
        """DELETE FROM permits.application_documents WHERE application_id = $1 AND document_code = $2
           RETURNING upload_id""",
        application_id,
        code,
    )
    if previous is not None:
        await release_uploads(connection, owner, [previous])
    await connection.execute(
        "INSERT INTO permits.application_documents (application_id, document_code, upload_id) VALUES ($1, $2, $3)",
        application_id,
        code,
        choice.upload_id,
    )
    await connection.execute("UPDATE permits.applications SET updated_at = now() WHERE id = $1", application_id)
    if row["case_id"] is not None:  # during a revision: the agency reads the new document too
        await link_used_uploads(connection, owner, row["case_id"], [choice.upload_id])
    return await read_application(connection, actor, application_id, base_url)


def completeness_problems(
    kind: ServiceVersion, answers: dict[str, Any], documents: dict[str, Any]
) -> list[LocalizedFieldError]:
    """Every missing or wrong answer and every missing required document, at once; a field
    hidden by its `shown_when` is neither required nor checked."""
    shown, kept = without_hidden(kind.fields, answers)
    problems = answer_problems(shown, kept, prefix="answers")
    problems += [
        LocalizedFieldError(
            f"documents.{document.code}", "Dokumen wajib belum dilampirkan", "This document is required"
        )
        for document in kind.documents
        if document.required and document.code not in documents
    ]
    return problems


async def submit(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, base_url: str
) -> Application:
    """Inside a transaction: check everything, then open the case (the type's agency and SLA)."""
    row = await _editable(connection, actor, application_id)
    if row["case_id"] is not None:
        raise ApiError(409, "permits_not_editable")
    kind = await filed_version(connection, row["type_code"], None)
    if not kind.is_open:
        # The agency stopped taking this service: a draft can no longer become an application.
        raise ApiError(409, "permits_type_closed")
    problems = completeness_problems(kind, row["answers"], row["documents"])
    if problems:
        raise ApiError(422, errors=problems)
    await require_eligible(connection, actor, kind)
    opened = await open_case(
        engine,
        connection,
        actor,
        module=MODULE,
        workflow=WORKFLOW,
        service_code=kind.service_code,
        opd_code=kind.opd_code,
        sla_days=kind.sla_days,
        object_id=application_id,
    )
    # Filed under this version: its form, letter and PDF from now on, whatever admins publish later.
    await connection.execute(
        """UPDATE permits.applications
           SET case_id = $2, definition_version = $3, answers = $4, submitted_at = now(), updated_at = now()
           WHERE id = $1""",
        application_id,
        opened.id,
        kind.version,
        without_hidden(kind.fields, row["answers"])[1],
    )
    await index_application_words(connection, opened.id, kind, row["answers"])
    await link_used_uploads(
        connection, UploadOwner.of(actor), opened.id, [uuid.UUID(str(u)) for u in row["documents"].values()]
    )
    return await read_application(connection, actor, application_id, base_url)


async def resubmit(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, base_url: str
) -> Application:
    row = await _editable(connection, actor, application_id)
    kind = await _version(connection, row)
    problems = completeness_problems(kind, row["answers"], row["documents"])
    if problems:
        raise ApiError(422, errors=problems)
    await take_action(engine, connection, actor, row["case_id"], "resubmit", expected_version=None)
    await connection.execute(
        "UPDATE permits.applications SET revision = NULL, answers = $2 WHERE id = $1",
        application_id,
        without_hidden(kind.fields, row["answers"])[1],
    )
    return await read_application(connection, actor, application_id, base_url)


async def request_revision(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    application_id: uuid.UUID,
    revision: RevisionRequest,
    base_url: str,
) -> Application:
    """Staff name the fields and documents to fix (each must be one of the type's)."""
    row = await visible_application(connection, actor, application_id)
    kind = await _version(connection, row)
    if not kind.definition.workflow.revisions:
        raise ApiError(409, "permits_no_revisions")
    unknown = [
        *(f"fields: {code}" for code in revision.fields if code not in {field.code for field in kind.fields}),
        *(f"documents: {code}" for code in revision.documents if code not in {d.code for d in kind.documents}),
    ]
    if unknown:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError("fields", f"Tidak dikenal: {', '.join(unknown)}", f"Unknown: {', '.join(unknown)}")
            ],
        )
    asked = revision_asked(msgspec.to_builtins(revision), kind)
    note = timeline_note(revision.note, asked.fields, asked.documents)
    await take_action(engine, connection, actor, row["case_id"], "request_revision", expected_version=None, note=note)
    await connection.execute(
        "UPDATE permits.applications SET revision = $2 WHERE id = $1", application_id, msgspec.to_builtins(revision)
    )
    return await read_application(connection, actor, application_id, base_url)


async def approve(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, base_url: str
) -> Application:
    """A service that needs a supervisor is approved by one (or an admin); others by any staff.
    A service ending with a decision or an appointment is done once approved: nothing is issued."""
    row = await visible_application(connection, actor, application_id)
    kind = await _version(connection, row)
    if kind.needs_supervisor and actor.role == "officer":
        raise ApiError(403, "permits_needs_supervisor")
    await take_action(engine, connection, actor, row["case_id"], "approve", expected_version=None)
    if kind.definition.workflow.outcome in ("decision", "appointment"):
        # Nothing to issue: the decision is the approval; an appointment is booked by the resident.
        await take_action(engine, connection, actor, row["case_id"], "issue", expected_version=None)
    return await read_application(connection, actor, application_id, base_url)


async def _version(connection: asyncpg.Connection, row: asyncpg.Record) -> ServiceVersion:
    """The version the application was filed under (the latest published one for a draft)."""
    return await filed_version(connection, row["type_code"], row["definition_version"])
