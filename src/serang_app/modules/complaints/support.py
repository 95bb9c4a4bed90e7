"""'Me too' on a public complaint: the resident follows it (told of each change, like its
reporter) and its support count goes up; taking it back undoes both."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.api import ApiError, follow_case, unfollow_case
from serang_app.modules.complaints.schemas import Support

_LOCK = """
SELECT c.resident_id, c.is_public, c.closed_at, r.merged_into
FROM complaints.reports r JOIN core.cases c ON c.id = r.case_id
WHERE r.case_id = $1
FOR UPDATE OF r
"""
_COUNT = "UPDATE complaints.reports SET support_count = support_count + $2 WHERE case_id = $1 RETURNING support_count"


async def support(connection: asyncpg.Connection, resident_id: uuid.UUID, case_id: uuid.UUID) -> Support:
    """Inside a transaction. Only an open public complaint of someone else's can be supported."""
    row = await connection.fetchrow(_LOCK, case_id)
    if row is None or not row["is_public"]:
        raise ApiError(404)
    if row["resident_id"] == resident_id:
        raise ApiError(409, "complaints_own_report")
    if row["closed_at"] is not None or row["merged_into"] is not None:
        raise ApiError(409, "complaints_closed")
    added = await follow_case(connection, case_id, resident_id)
    count: int = await connection.fetchval(_COUNT, case_id, 1 if added else 0)
    return Support(supporting=True, support_count=count)


async def withdraw_support(connection: asyncpg.Connection, resident_id: uuid.UUID, case_id: uuid.UUID) -> Support:
    row = await connection.fetchrow(_LOCK, case_id)
    if row is None or not row["is_public"]:
        raise ApiError(404)
    removed = await unfollow_case(connection, case_id, resident_id)
    count: int = await connection.fetchval(_COUNT, case_id, -1 if removed else 0)
    return Support(supporting=False, support_count=count)
