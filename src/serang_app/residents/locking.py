"""One resident's requests one at a time, where a module counts what the resident already has."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from serang_app.auth.revoked_sessions import SESSION_NOT_REVOKED
from serang_app.http.problems import ApiError

# The resident's row locked, and whether the account is active (${resident}, {session_open}): the
# lock's CTE, shared with prepare_case_reading(lock_resident=True).
LOCKED_ACCOUNT = (
    "SELECT erased_at IS NULL AND {session_open} AS active FROM residents WHERE id = ${resident} FOR UPDATE"
)
# The resident's row locked and the account checked as authentication checks it (not erased, the
# token's session not ended), with the module's own read: {read} with its parameters $1..$n, the
# resident ${resident} and the session ${session}. The read runs under the statement's snapshot,
# taken before the lock is waited for: it must not be a count the lock protects (that is read in
# a statement after this one, whose snapshot sees what the previous holder committed).
_LOCK_READING = f"""
WITH me AS ({LOCKED_ACCOUNT})
SELECT coalesce((SELECT active FROM me), false) AS resident_signed_in, module_read.*
FROM (SELECT 1) AS one LEFT JOIN (SELECT true AS module_read_found, found.* FROM ({{read}}) AS found) AS module_read
    ON true
"""  # noqa: S608 (constant text)


async def lock_resident(connection: asyncpg.Connection, resident_id: uuid.UUID) -> None:
    """In the caller's transaction: wait for, then hold until the transaction ends, the resident's
    account row, so two requests of one resident checking a limit (one active booking per service,
    so many a day) cannot both pass it. Erasing the account waits for it too."""
    await connection.execute("SELECT 1 FROM residents WHERE id = $1 FOR UPDATE", resident_id)


async def lock_resident_reading(
    connection: asyncpg.Connection,
    resident_id: uuid.UUID,
    session_id: uuid.UUID | None,
    read: str,
    args: Sequence[Any],
) -> dict[str, Any] | None:
    """lock_resident, the account check of authentication, and the module's own `read` (a SELECT
    of at most one row, `args` as $1..$n) in one round trip: for a residents' route that says
    `opt={ACCOUNT_CHECKED_BY_ROUTE_OPT: True}` (authentication then skips its own look-up of the
    account). 401 when the account was erased or the session (`Principal.session_id`) ended;
    else the read's row, or None when it found nothing. In the caller's transaction."""
    first = len(args) + 1
    statement = _LOCK_READING.format(
        session_open=SESSION_NOT_REVOKED.format(f"${first + 1}"), resident=first, read=read
    )
    row = await connection.fetchrow(statement, *args, resident_id, session_id)
    assert row is not None  # one row, whatever the read finds
    if not row["resident_signed_in"]:
        raise ApiError(401)
    if not row["module_read_found"]:
        return None
    values = dict(row)
    del values["resident_signed_in"], values["module_read_found"]
    return values
