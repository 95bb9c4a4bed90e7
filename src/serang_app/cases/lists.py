"""The two growing lists of cases: a resident's own (all modules), and an agency's inbox.

Both are keyset-paginated (db/keyset.py): the cursor holds the sort key of the last row shown, so
a page costs the same however deep the client is, and rows inserted meanwhile neither repeat nor
shift pages. Each query is put together from the filters present (db/conditions.py), so
PostgreSQL plans each shape for what it is (a generic plan over optional `$n IS NULL OR ...`
filters cannot use the keyset index well).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.auth.principal import is_active_resident
from serang_app.auth.revoked_sessions import SESSION_NOT_REVOKED
from serang_app.cases.reading import SUMMARY_COLUMNS, summary_of
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.schemas import CasePage
from serang_app.cases.search import add_search
from serang_app.cases.summary_bytes import COLUMNS as RESIDENT_COLUMNS
from serang_app.cases.summary_bytes import encoded_page
from serang_app.cases.workflow import Phase
from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset
from serang_app.http.problems import ApiError

_SELECT = f"SELECT {SUMMARY_COLUMNS} FROM cases c JOIN catalogue_services s ON s.code = c.service_code"  # noqa: S608 (constant columns)
# A resident's lists read through the account itself, so a page with rows proves the account is
# active (and the token's session not ended) in the same snapshot; the route skips the
# middleware's own look-up (ACCOUNT_CHECKED_BY_ROUTE_OPT) and checks the account only when a page
# comes back empty.
_RESIDENT_FROM = (
    "FROM residents me JOIN cases c ON c.resident_id = me.id JOIN catalogue_services s ON s.code = c.service_code"
)
_RESIDENT_SELECT = f"SELECT {RESIDENT_COLUMNS} {_RESIDENT_FROM}"
# Newest first, or (with updated_since) oldest change first so a client can sync forwards. Each
# order is its own list: a cursor of one would skip or repeat rows of the other.
Order = Literal["newest", "changed"]
_RESIDENT_ORDERS: dict[Order, Keyset[tuple[datetime, uuid.UUID]]] = {
    "newest": Keyset("cases.mine.newest", ("c.created_at", "c.id"), tuple[datetime, uuid.UUID]),
    "changed": Keyset("cases.mine.changed", ("c.updated_at", "c.id"), tuple[datetime, uuid.UUID], descending=False),
}
# An agency's inbox by due time, cases without one (no SLA) last.
_BY_DUE_TIME = Keyset(
    "cases.inbox",
    ("coalesce(c.due_at, 'infinity')", "c.id"),
    tuple[datetime | None, uuid.UUID],
    descending=False,
    fields=("due_at", "id"),
    cursor_values="coalesce(?::timestamptz, 'infinity'), ?",
)
# The first page of a resident's list with no filter: the query the app sends most. $3: the
# token's session.
RESIDENT_FIRST_PAGE = f"""
{_RESIDENT_SELECT}
WHERE me.id = $1 AND me.erased_at IS NULL AND {SESSION_NOT_REVOKED.format("$3")}
ORDER BY c.created_at DESC, c.id DESC
LIMIT $2
"""


Unassigned = Literal["none"]


@dataclass(frozen=True, slots=True)
class ResidentFilter:
    phase: Phase | None = None
    status: str | None = None
    module: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class InboxFilter:
    opd_code: str | None = None
    module: str | None = None
    status: str | None = None
    phase: Phase | None = None
    overdue: bool | None = None
    # An assignee's id, or "none" for cases nobody holds.
    assignee: uuid.UUID | Unassigned | None = None
    district_code: str | None = None
    include_closed: bool = False
    # Staff search (cases/search.py): the text to find, already normalized.
    search: str | None = None


async def resident_page(
    connection: asyncpg.Connection,
    workflows: WorkflowRegistry,
    resident_id: uuid.UUID,
    filters: ResidentFilter,
    *,
    limit: int,
    cursor: str | None,
    session_id: uuid.UUID | None = None,
) -> bytes:
    """One page of the resident's cases, encoded as a `CasePage` (summary_bytes.py). 401 (as
    ApiError) when the account was erased or the token's session ended meanwhile."""
    order: Order = "changed" if filters.updated_since is not None else "newest"
    page = _RESIDENT_ORDERS[order].page(limit, cursor, owner=resident_id)
    if cursor is None and filters == ResidentFilter():
        rows, next_cursor = page.split(
            await connection.fetch(RESIDENT_FIRST_PAGE, resident_id, page.fetch_limit, session_id)
        )
    else:
        rows, next_cursor = await page.fetch(
            connection, _RESIDENT_SELECT, _resident_conditions(resident_id, session_id, filters)
        )
    if not rows and not await is_active_resident(connection, resident_id, session_id):
        raise ApiError(401)
    return encoded_page(rows, workflows, next_cursor)


def _resident_conditions(resident_id: uuid.UUID, session_id: uuid.UUID | None, filters: ResidentFilter) -> Conditions:
    conditions = Conditions()
    conditions.add("me.id = ? AND me.erased_at IS NULL", resident_id)
    conditions.add(SESSION_NOT_REVOKED.format("?"), session_id)
    if filters.phase is not None:
        conditions.add("c.phase = ?", filters.phase)
    if filters.status is not None:
        conditions.add("c.status = ?", filters.status)
    if filters.module is not None:
        conditions.add("c.module = ?", filters.module)
    if filters.updated_since is not None:
        conditions.add("c.updated_at > ?", filters.updated_since)
    return conditions


async def inbox_page(
    connection: asyncpg.Connection,
    workflows: WorkflowRegistry,
    actor: CaseActor,
    filters: InboxFilter,
    *,
    limit: int,
    cursor: str | None,
) -> CasePage:
    """The agency's cases by due time (no SLA last). Officers and supervisors see only their own
    agency whatever they ask for; admins see all, or the agency they filter on."""
    conditions = Conditions()
    opd_code = filters.opd_code if actor.role == "admin" else actor.opd_code
    if opd_code is not None:
        conditions.add("c.opd_code = ?", opd_code)
    if not filters.include_closed and filters.phase is None:
        conditions.add("c.closed_at IS NULL")
    for column, value in (
        ("c.module", filters.module),
        ("c.status", filters.status),
        ("c.phase", filters.phase),
        ("c.district_code", filters.district_code),
    ):
        if value is not None:
            conditions.add(column + " = ?", value)
    if filters.assignee == "none":
        conditions.add("c.assignee_id IS NULL")
    elif filters.assignee is not None:
        conditions.add("c.assignee_id = ?", filters.assignee)
    overdue = "(c.closed_at IS NULL AND coalesce(c.paused_since, now()) >= c.due_at)"
    if filters.overdue is True:
        conditions.add(overdue)
    elif filters.overdue is False:
        conditions.add(f"NOT coalesce({overdue}, false)")
    if filters.search is not None:
        await add_search(connection, conditions, filters.search)
    rows, next_cursor = await _BY_DUE_TIME.page(limit, cursor).fetch(connection, _SELECT, conditions)
    return _case_page(rows, workflows, next_cursor)


def _case_page(rows: list[asyncpg.Record], workflows: WorkflowRegistry, next_cursor: str | None) -> CasePage:
    now = datetime.now(UTC)
    return CasePage(items=[summary_of(row, workflows, now) for row in rows], next_cursor=next_cursor)
