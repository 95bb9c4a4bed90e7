"""Filing a complaint: every check first, naming each problem at once; then the case, its
photos and its detail row in one transaction."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from serang_app.api import (
    ApiError,
    CaseActor,
    CaseEngine,
    LocalizedFieldError,
    RegionArea,
    SessionToCheck,
    UploadOwner,
    answer_problems,
    attach_uploads,
    prepare_case_reading,
)
from serang_app.modules.complaints.categories import ACTIVE_CATEGORY, category_of
from serang_app.modules.complaints.placing import place_complaint
from serang_app.modules.complaints.schemas import Category, ComplaintDraft, FiledComplaint
from serang_app.modules.complaints.search_words import complaint_words

SERVICE = "complaints.report"
MODULE = "complaints"
WORKFLOW = "complaint"

_INSERT = """
INSERT INTO complaints.reports (case_id, category_code, description, latitude, longitude, village_code, address,
                                is_anonymous, attributes, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
"""


async def file_complaint(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    area: RegionArea,
    actor: CaseActor,
    draft: ComplaintDraft,
    *,
    source: str = "app",
    account: SessionToCheck | None = None,
) -> FiledComplaint:
    """Open the complaint's case (routed to the category's agency, with its SLA), placed in the
    region's district and village (placing.py); 422 listing every problem with the draft. The
    case and its rows are written in one statement (with the photos' attachment, in a transaction
    of its own), inside the caller's transaction if it has one. A filing through Open311 (a call
    centre) need not carry the photo a category requires: it cannot attach one.

    `account`: the app's route skips authentication's look-up of the account
    (ACCOUNT_CHECKED_BY_ROUTE_OPT): the first statement checks it (401 before anything else),
    with the category and the catalogue entry (docs/performance.md, "Filing, fourth round")."""
    assert actor.id is not None
    reading = await prepare_case_reading(
        engine,
        connection,
        actor,
        ACTIVE_CATEGORY,
        (draft.category,),
        module=MODULE,
        workflow=WORKFLOW,
        service_code=SERVICE,
        account=account,
    )
    category = category_of(reading.row) if reading.row is not None else None
    placed, problems = await place_complaint(connection, area, draft)
    problems += await _problems(connection, actor.id, draft, category, photo_required=source == "app")
    if problems or category is None or placed is None:
        raise ApiError(422, errors=problems)
    photos = list(dict.fromkeys(draft.photo_upload_ids))
    case = reading.routed_case(
        opd_code=category.opd_code,
        district_code=placed.district_code,
        sla_days=category.sla_days,
        is_public=category.public_by_default if draft.public is None else draft.public,
    )
    # Staff find it by what the resident wrote, and by their name unless they filed anonymously.
    words = complaint_words(draft.description, draft.address, anonymous=draft.anonymous)
    report = (
        case.case_id,
        category.code,
        draft.description,
        draft.latitude,
        draft.longitude,
        placed.village_code,
        draft.address,
        draft.anonymous,
        msgspec.to_builtins(draft.attributes),
        source,
    )
    # The case, its timeline and audit entries, the staff's notices, the report and the words:
    # one statement (PreparedCase.open_writing), which needs no transaction of its own. Photos
    # are attached in the same transaction, after it (they name the case).
    if not photos:
        opened = await case.open_writing(connection, _INSERT, report, words=words)
    else:
        async with connection.transaction():
            opened = await case.open_writing(connection, _INSERT, report, words=words)
            await attach_uploads(connection, UploadOwner.of(actor), opened.id, photos)
    return FiledComplaint(
        case_id=opened.id,
        reference=opened.reference,
        status=opened.status,
        opd_code=category.opd_code,
        due_at=opened.due_at,
    )


async def _problems(
    connection: asyncpg.Connection,
    resident_id: uuid.UUID,
    draft: ComplaintDraft,
    category: Category | None,
    *,
    photo_required: bool,
) -> list[LocalizedFieldError]:
    problems: list[LocalizedFieldError] = []
    if category is None:
        problems.append(LocalizedFieldError("category", "Kategori tidak dikenal", "Unknown category"))
    problems += await _photo_problems(
        connection,
        resident_id,
        draft.photo_upload_ids,
        category is not None and category.photo_required and photo_required,
    )
    if category is not None:
        problems += answer_problems(category.attributes, draft.attributes)
    return problems


async def _photo_problems(
    connection: asyncpg.Connection, resident_id: uuid.UUID, photo_ids: list[uuid.UUID], required: bool
) -> list[LocalizedFieldError]:
    if not photo_ids:
        if required:
            return [
                LocalizedFieldError(
                    "photo_upload_ids", "Kategori ini memerlukan foto", "This category needs at least one photo"
                )
            ]
        return []
    usable = await connection.fetchval(
        """SELECT count(*) FROM core.uploads
           WHERE id = ANY($1::uuid[]) AND resident_id = $2 AND purpose = 'complaint_photo'
             AND status = 'completed' AND attached_at IS NULL""",
        photo_ids,
        resident_id,
    )
    if usable != len(set(photo_ids)):
        return [
            LocalizedFieldError(
                "photo_upload_ids",
                "Setiap foto harus unggahan Anda sendiri yang selesai dan belum dipakai",
                "Each photo must be your own completed upload, not used elsewhere",
            )
        ]
    return []
