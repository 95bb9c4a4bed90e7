"""Moderation: staff hide a public complaint's text or one of its photos from the public (a face,
a number plate, a phone number, abuse), or show it again, always with a reason.

What is hidden is recorded in `complaints.hidden_content`; the public view (public_view.py) leaves
hidden text and photos out, so every public surface (feed, nearby, one public complaint, Open311)
honours it from the moment the transaction commits. A hidden photo is also flagged in the core
(`hide_case_photo`), whose public thumbnail route then answers 404. The reporter and the agency
still read everything, with what was hidden and why (`ComplaintDetail.hidden_from_public`); the
reporter is told (a notification in their language), and each hide and restore is a timeline
entry and an audit entry. docs/complaints.md, "Moderation", holds the decisions.
"""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.api import (
    ApiError,
    CaseActor,
    LocalizedFieldError,
    hide_case_photo,
    notify_resident,
    record_case_note,
    restore_case_photo,
)
from serang_app.modules.complaints.schemas import HiddenContent, ModerationRequest

_LOCK = """
SELECT c.resident_id, c.opd_code, c.is_public, c.reference
FROM complaints.reports r JOIN core.cases c ON c.id = r.case_id
WHERE r.case_id = $1
FOR UPDATE OF r
"""
_PHOTO_OF_CASE = """
SELECT 1 FROM core.uploads
WHERE id = $1 AND case_id = $2 AND purpose = 'complaint_photo' AND content_type LIKE 'image/%'
"""
_HIDE = """
INSERT INTO complaints.hidden_content (case_id, target, photo_upload_id, reason, hidden_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING
RETURNING id
"""
_RESTORE = """
DELETE FROM complaints.hidden_content
WHERE case_id = $1 AND target = $2 AND photo_upload_id IS NOT DISTINCT FROM $3
RETURNING id
"""
_HIDDEN = """
SELECT target, photo_upload_id, reason, hidden_at FROM complaints.hidden_content
WHERE case_id = $1 ORDER BY hidden_at, id
"""


async def moderate(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, data: ModerationRequest
) -> str:
    """Inside a transaction. Hides or restores what `data` names; answers what happened
    (`text_hidden`, `photo_restored`, ...), which names the timeline's action and the template
    (`complaints.text_hidden`) and the audit entry (`complaint.text_hidden`).

    404 for a complaint the caller may not see (another agency's), 409 for a private one (it has no
    public surface) and for hiding what is hidden or restoring what is shown, 422 for a photo that
    is not one of this complaint's."""
    case = await connection.fetchrow(_LOCK, case_id)
    if case is None or not actor.is_staff or not actor.may_see(case["resident_id"], case["opd_code"]):
        raise ApiError(404)
    _check(data)
    if not case["is_public"]:
        raise ApiError(409, "complaints_not_public")
    photo_id = data.photo_upload_id if data.target == "photo" else None
    if photo_id is not None and await connection.fetchval(_PHOTO_OF_CASE, photo_id, case_id) is None:
        raise _invalid("photo_upload_id", "Bukan foto laporan ini", "Not a photo of this complaint")
    reason = data.reason.strip()
    if data.action == "hide":
        changed = await connection.fetchval(_HIDE, case_id, data.target, photo_id, reason, actor.id) is not None
        if changed and photo_id is not None:
            changed = await hide_case_photo(connection, case_id, photo_id)
        if not changed:
            raise ApiError(409, "complaints_already_hidden")
    else:
        changed = await connection.fetchval(_RESTORE, case_id, data.target, photo_id) is not None
        if changed and photo_id is not None:
            changed = await restore_case_photo(connection, case_id, photo_id)
        if not changed:
            raise ApiError(409, "complaints_not_hidden")
    happened = f"{data.target}_{'hidden' if data.action == 'hide' else 'restored'}"
    # The reporter and the agency read why in the timeline; the public never reads notes.
    await record_case_note(connection, actor, case_id, action=f"complaints.{happened}", note=reason)
    await notify_resident(
        connection,
        case["resident_id"],
        case_id,
        source="complaints",
        template=f"complaints.{happened}",
        params={"reference": case["reference"], "reason": reason},
    )
    return happened


async def hidden_from_public(connection: asyncpg.Connection, case_id: uuid.UUID) -> list[HiddenContent]:
    rows = await connection.fetch(_HIDDEN, case_id)
    return [HiddenContent(**dict(row)) for row in rows]


def _check(data: ModerationRequest) -> None:
    """Every problem of the request at once, as 422 naming each field."""
    problems = []
    if not data.reason.strip():
        problems.append(LocalizedFieldError("reason", "Alasan wajib diisi", "A reason is required"))
    if data.target == "photo" and data.photo_upload_id is None:
        problems.append(
            LocalizedFieldError("photo_upload_id", "Sebutkan foto yang dimaksud", "Name the photo", code="required")
        )
    if data.target == "text" and data.photo_upload_id is not None:
        problems.append(LocalizedFieldError("photo_upload_id", "Hanya untuk foto", "Only for a photo (target: photo)"))
    if problems:
        raise ApiError(422, errors=problems)


def _invalid(field: str, indonesian: str, english: str) -> ApiError:
    return ApiError(422, errors=[LocalizedFieldError(field, indonesian, english)])
