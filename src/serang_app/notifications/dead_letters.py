"""/v1/admin/push-failures: pushes given up on after every attempt, and sending them again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import PathParameter

from serang_app.app_state import database_of
from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.http.problems import ApiError

NotificationId = Annotated[uuid.UUID, PathParameter(description="The notification whose push failed.")]
_ADMINS = {"permission": "push.manage"}


class PushFailure(msgspec.Struct, kw_only=True):
    notification_id: uuid.UUID
    case_id: uuid.UUID | None
    template: str
    attempts: int
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class PushFailurePage(msgspec.Struct, kw_only=True):
    items: list[PushFailure]
    next_cursor: str | None


_SELECT = """
SELECT j.notification_id, n.case_id, n.template, j.attempts, j.last_error, j.created_at, j.finished_at
FROM push_jobs j JOIN notifications n ON n.id = j.notification_id
"""
_LAST_GIVEN_UP_FIRST = Keyset("push-failures", ("j.finished_at", "j.notification_id"), tuple[datetime, uuid.UUID])


class PushFailureController(Controller):
    path = "/v1/admin/push-failures"
    tags = ("admin",)
    opt = _ADMINS

    @get(summary="Pushes given up on (dead letters), newest first", opt={"problems": [422]})
    async def list_push_failures(
        self, state: State, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
    ) -> PushFailurePage:
        page = _LAST_GIVEN_UP_FIRST.page(limit, cursor)
        dead = Conditions()
        dead.add("j.state = 'dead'")
        async with database_of(state).acquire() as connection:
            rows, next_cursor = await page.fetch(connection, _SELECT, dead)
        return PushFailurePage(items=[msgspec.convert(dict(row), PushFailure) for row in rows], next_cursor=next_cursor)

    @post(
        "/{notification_id:uuid}/retry",
        summary="Send a failed push again (its attempts start over)",
        status_code=204,
        opt={"problems": [404]},
    )
    async def retry_push(
        self, request: Request[Principal, Any, Any], state: State, notification_id: NotificationId
    ) -> None:
        async with database_of(state).acquire() as connection, connection.transaction():
            requeued = await connection.fetchval(
                """UPDATE push_jobs SET state = 'queued', attempts = 0, not_before = now(), finished_at = NULL
                   WHERE notification_id = $1 AND state = 'dead' RETURNING 1""",
                notification_id,
            )
            if requeued is None:
                raise ApiError(404)
            await record_by_caller(
                connection, request, action="push.retried", object_type="notification", object_id=str(notification_id)
            )
