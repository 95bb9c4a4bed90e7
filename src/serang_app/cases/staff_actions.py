"""What staff do besides workflow actions: assign a case, comment on it."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.cases.events import notify_resident, record_event
from serang_app.cases.staff_notices import tell_assignee
from serang_app.http.problems import ApiError, LocalizedFieldError

_LOCK = "SELECT resident_id, opd_code, reference, module, assignee_id FROM cases WHERE id = $1 FOR UPDATE"
_ASSIGNABLE = """
SELECT 1 FROM staff WHERE id = $1 AND is_active AND opd_code = $2 AND role IN ('officer', 'supervisor')
"""
_ASSIGN = """
UPDATE cases SET assignee_id = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version
"""
_TOUCH = "UPDATE cases SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version"


async def _lock_visible(connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID) -> asyncpg.Record:
    row = await connection.fetchrow(_LOCK, case_id)
    if row is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        raise ApiError(404)
    return row


async def assign_case(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, assignee_id: uuid.UUID | None
) -> int:
    """Give the case to an officer or supervisor of its agency (None: back to the pool).

    Supervisors and admins assign anyone of the agency; an officer may take a case nobody holds,
    or give back one he or she holds, but neither hand cases to colleagues nor take or release
    a case a colleague or supervisor holds (403 `case_assignment_forbidden`).
    """
    row = await _lock_visible(connection, actor, case_id)
    if actor.role == "officer" and not _officer_may_assign(actor, row["assignee_id"], assignee_id):
        raise ApiError(403, "case_assignment_forbidden")
    if assignee_id is not None and await connection.fetchval(_ASSIGNABLE, assignee_id, row["opd_code"]) is None:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "assignee_id",
                    "Bukan petugas aktif dari perangkat daerah pemilik permohonan ini",
                    "Not an active officer or supervisor of the agency that owns this case",
                )
            ],
        )
    version: int = await connection.fetchval(_ASSIGN, case_id, assignee_id)
    await record_event(
        connection,
        actor,
        case_id,
        "assigned",
        is_public=False,
        audit_details={"assignee": str(assignee_id) if assignee_id else "none"},
    )
    if assignee_id != row["assignee_id"]:
        await tell_assignee(connection, case_id, row["reference"], assignee_id, actor.id)
    return version


def _officer_may_assign(actor: CaseActor, holder: uuid.UUID | None, assignee_id: uuid.UUID | None) -> bool:
    """Only between the pool and the officer: the case is free or theirs, and goes to them or back."""
    return holder in (None, actor.id) and assignee_id in (None, actor.id)


async def comment_on_case(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, body: str, *, public: bool
) -> int:
    """Add a comment to the timeline; a public one is also sent to the resident."""
    row = await _lock_visible(connection, actor, case_id)
    # The version moves so that apps holding the case know the timeline changed.
    version: int = await connection.fetchval(_TOUCH, case_id)
    await record_event(connection, actor, case_id, "comment", note=body, is_public=public)
    if public:
        await notify_resident(
            connection,
            row["resident_id"],
            case_id,
            source="core",
            template="case.comment",
            params={"reference": row["reference"]},
        )
    return version
