"""Merging a duplicate complaint into the one that stays: the duplicate is closed as merged, its
reporter and supporters follow the surviving complaint, whose support count counts them."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.api import ApiError, CaseActor, CaseEngine, LocalizedFieldError, move_followers, take_action

_SURVIVOR = """
SELECT c.resident_id, c.opd_code, c.closed_at, r.merged_into
FROM complaints.reports r JOIN core.cases c ON c.id = r.case_id
WHERE r.case_id = $1
FOR UPDATE OF r
"""


async def merge_complaint(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    duplicate_id: uuid.UUID,
    survivor_id: uuid.UUID,
    note: str | None,
) -> None:
    """Inside a transaction. The caller must see both complaints; the surviving one must be open."""
    survivor = await connection.fetchrow(_SURVIVOR, survivor_id)
    if survivor_id == duplicate_id:
        problem = ("Tidak dapat digabung dengan dirinya sendiri", "A complaint cannot be merged into itself")
    elif survivor is None or not actor.may_see(survivor["resident_id"], survivor["opd_code"]):
        problem = ("Laporan tujuan tidak ditemukan", "No such complaint to merge into")
    elif survivor["closed_at"] is not None or survivor["merged_into"] is not None:
        problem = ("Laporan tujuan sudah ditutup", "The complaint to merge into is closed")
    else:
        problem = None
    if problem is not None:
        raise ApiError(422, errors=[LocalizedFieldError("into_case_id", *problem)])
    # The core checks that the caller sees the duplicate and may merge it from its status, and
    # tells its reporter and supporters (before they move to the surviving complaint).
    await take_action(engine, connection, actor, duplicate_id, "merge", expected_version=None, note=note)
    reporter = await connection.fetchval("SELECT resident_id FROM core.cases WHERE id = $1", duplicate_id)
    following = await move_followers(connection, duplicate_id, survivor_id, also=reporter)
    await connection.execute(
        "UPDATE complaints.reports SET merged_into = $2, support_count = 0 WHERE case_id = $1",
        duplicate_id,
        survivor_id,
    )
    await connection.execute(
        "UPDATE complaints.reports SET support_count = $2 WHERE case_id = $1", survivor_id, following
    )
