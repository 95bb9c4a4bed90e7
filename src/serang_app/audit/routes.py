"""GET /v1/admin/audit: the audit log for admins, newest first, filterable.

There is deliberately no route that writes, changes or deletes entries: they are written only by
the actions they record, and the table itself refuses UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from serang_app.audit.log import ActorKind
from serang_app.audit.queries import AuditFilter, list_entries
from serang_app.audit.schemas import AuditPage
from serang_app.db.pool import Database
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.http.text import PLAIN_TEXT


def _text_filter(name: str, description: str) -> QueryParameter:
    return QueryParameter(name=name, description=description, pattern=PLAIN_TEXT, max_length=200, required=False)


ActorKindFilter = Annotated[
    ActorKind | None,
    QueryParameter(name="actor_kind", description="Only entries by this kind of actor.", required=False),
]
ActorIdFilter = Annotated[
    uuid.UUID | None,
    QueryParameter(name="actor_id", description="Only entries by this resident or staff account.", required=False),
]
ActionFilter = Annotated[str | None, _text_filter("action", "Only this action, for example staff.changed.")]
ObjectTypeFilter = Annotated[str | None, _text_filter("object_type", "Only entries about this kind of object.")]
ObjectIdFilter = Annotated[str | None, _text_filter("object_id", "Only entries about this object.")]
SinceFilter = Annotated[
    datetime | None,
    QueryParameter(
        name="since", description="Only entries at or after this time (ISO 8601 with offset).", required=False
    ),
]
UntilFilter = Annotated[
    datetime | None,
    QueryParameter(name="until", description="Only entries before this time (ISO 8601 with offset).", required=False),
]


@get(
    "/v1/admin/audit",
    tags=["admin"],
    summary="The audit log, newest first",
    opt={"permission": "audit.read"},
)
async def list_audit_entries(
    database: NamedDependency[Database],
    actor_kind: ActorKindFilter = None,
    actor_id: ActorIdFilter = None,
    action: ActionFilter = None,
    object_type: ObjectTypeFilter = None,
    object_id: ObjectIdFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> AuditPage:
    _require_offset(since=since, until=until)
    where = AuditFilter(
        actor_kind=actor_kind,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )
    async with database.acquire() as connection:
        return await list_entries(connection, where, limit=limit, cursor=cursor)


def _require_offset(**times: datetime | None) -> None:
    """A time without an offset is ambiguous: the server's zone, UTC and Asia/Jakarta differ by hours."""
    naive = [name for name, value in times.items() if value is not None and value.tzinfo is None]
    if naive:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    name,
                    "Sertakan zona waktu, misalnya 2026-11-27T08:00:00+07:00",
                    "Include a UTC offset, for example 2026-11-27T08:00:00+07:00",
                )
                for name in naive
            ],
        )
