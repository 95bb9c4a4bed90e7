"""The two growing lists of cases: a resident's own (all modules), and an agency's inbox.

Both are keyset-paginated: the cursor holds the sort key of the last row shown, so a page costs
the same however deep the client is, and rows inserted meanwhile neither repeat nor shift pages.
Each query is put together from the filters present, so PostgreSQL plans each shape for what it
is (a generic plan over optional `$n IS NULL OR ...` filters cannot use the keyset index well).
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
from serang_app.cases.workflow import Phase
from serang_app.http.pagination import decode_cursor, encode_cursor, invalid_cursor
from serang_app.http.problems import ApiError

_FROM = "FROM cases c JOIN catalogue_services s ON s.code = c.service_code"
# A resident's lists read through the account itself, so a page with rows proves the account is
# active (and the token's session not ended) in the same snapshot; the route skips the
# middleware's own look-up (ACCOUNT_CHECKED_BY_ROUTE_OPT) and checks the account only when a page
# comes back empty.
_RESIDENT_FROM = (
    "FROM residents me JOIN cases c ON c.resident_id = me.id JOIN catalogue_services s ON s.code = c.service_code"
)
_ACTIVE_RESIDENT = "me.id = {} AND me.erased_at IS NULL"
# Newest first, or (with updated_since) oldest change first so a client can sync forwards.
Order = Literal["newest", "changed"]
_ORDERS: dict[Order, tuple[str, str, str]] = {
    # (key columns, comparison with the cursor, ORDER BY)
    "newest": ("c.created_at, c.id", "<", "c.created_at DESC, c.id DESC"),
    "changed": ("c.updated_at, c.id", ">", "c.updated_at, c.id"),
}
# The first page of a resident's list with no filter: the query the app sends most. $3: the
# token's session.
RESIDENT_FIRST_PAGE = f"""
SELECT {SUMMARY_COLUMNS} {_RESIDENT_FROM}
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


class _Query:
    """A WHERE clause and its arguments, numbered as they are added."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.arguments: list[object] = []

    def add(self, condition: str, *values: object) -> None:
        numbers = [f"${len(self.arguments) + index + 1}" for index in range(len(values))]
        self.conditions.append(condition.format(*numbers))
        self.arguments.extend(values)

    def where(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "true"


async def resident_page(
    connection: asyncpg.Connection,
    workflows: WorkflowRegistry,
    resident_id: uuid.UUID,
    filters: ResidentFilter,
    *,
    limit: int,
    cursor: str | None,
    session_id: uuid.UUID | None = None,
) -> CasePage:
    """One page of the resident's cases. 401 (as ApiError) when the account was erased or the
    token's session ended meanwhile."""
    order: Order = "changed" if filters.updated_since is not None else "newest"
    if cursor is None and filters == ResidentFilter():
        rows = await connection.fetch(RESIDENT_FIRST_PAGE, resident_id, limit + 1, session_id)
    else:
        rows = await _fetch_rows(
            connection, _resident_query(resident_id, session_id, filters), _RESIDENT_FROM, order, limit, cursor
        )
    if not rows and not await is_active_resident(connection, resident_id, session_id):
        raise ApiError(401)
    return _page(rows, workflows, limit, order)


def _resident_query(resident_id: uuid.UUID, session_id: uuid.UUID | None, filters: ResidentFilter) -> _Query:
    query = _Query()
    query.add(_ACTIVE_RESIDENT, resident_id)
    query.add(SESSION_NOT_REVOKED, session_id)
    if filters.phase is not None:
        query.add("c.phase = {}", filters.phase)
    if filters.status is not None:
        query.add("c.status = {}", filters.status)
    if filters.module is not None:
        query.add("c.module = {}", filters.module)
    if filters.updated_since is not None:
        query.add("c.updated_at > {}", filters.updated_since)
    return query


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
    query = _Query()
    opd_code = filters.opd_code if actor.role == "admin" else actor.opd_code
    if opd_code is not None:
        query.add("c.opd_code = {}", opd_code)
    if not filters.include_closed and filters.phase is None:
        query.add("c.closed_at IS NULL")
    for column, value in (
        ("c.module", filters.module),
        ("c.status", filters.status),
        ("c.phase", filters.phase),
        ("c.district_code", filters.district_code),
    ):
        if value is not None:
            query.add(column + " = {}", value)
    if filters.assignee == "none":
        query.add("c.assignee_id IS NULL")
    elif filters.assignee is not None:
        query.add("c.assignee_id = {}", filters.assignee)
    overdue = "(c.closed_at IS NULL AND coalesce(c.paused_since, now()) >= c.due_at)"
    if filters.overdue is True:
        query.add(overdue)
    elif filters.overdue is False:
        query.add(f"NOT coalesce({overdue}, false)")
    if cursor is not None:
        due, last_id = decode_cursor(cursor, tuple[datetime | None, uuid.UUID])
        query.add("(coalesce(c.due_at, 'infinity'), c.id) > (coalesce({}::timestamptz, 'infinity'), {})", due, last_id)
    query.arguments.append(limit + 1)
    sql = (
        f"SELECT {SUMMARY_COLUMNS} {_FROM} WHERE {query.where()} "
        f"ORDER BY coalesce(c.due_at, 'infinity'), c.id LIMIT ${len(query.arguments)}"
    )
    rows = await connection.fetch(sql, *query.arguments)
    items = [summary_of(row, workflows, datetime.now(UTC)) for row in rows[:limit]]
    next_cursor = encode_cursor([rows[limit - 1]["due_at"], rows[limit - 1]["id"]]) if len(rows) > limit else None
    return CasePage(items=items, next_cursor=next_cursor)


async def _fetch_rows(
    connection: asyncpg.Connection,
    query: _Query,
    source: str,
    order: Order,
    limit: int,
    cursor: str | None,
) -> list[asyncpg.Record]:
    key, comparison, order_by = _ORDERS[order]
    if cursor is not None:
        cursor_order, moment, last_id = decode_cursor(cursor, tuple[Order, datetime, uuid.UUID])
        if cursor_order != order:  # a cursor of the other ordering would skip or repeat rows
            raise invalid_cursor()
        query.add(f"({key}) {comparison} ({{}}, {{}})", moment, last_id)
    query.arguments.append(limit + 1)
    sql = f"SELECT {SUMMARY_COLUMNS} {source} WHERE {query.where()} ORDER BY {order_by} LIMIT ${len(query.arguments)}"
    rows: list[asyncpg.Record] = await connection.fetch(sql, *query.arguments)
    return rows


def _page(rows: list[asyncpg.Record], workflows: WorkflowRegistry, limit: int, order: Order) -> CasePage:
    now = datetime.now(UTC)
    items = [summary_of(row, workflows, now) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        moment = last["created_at"] if order == "newest" else last["updated_at"]
        next_cursor = encode_cursor([order, moment, last["id"]])
    return CasePage(items=items, next_cursor=next_cursor)
