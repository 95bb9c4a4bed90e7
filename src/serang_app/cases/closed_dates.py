"""/v1/admin/closed-dates: days the agencies are closed beyond weekends and the national calendar
of the holidays package: the region's own holidays and collective leave (the package knows only
the national ones), a local closure (a flood, an office move), a holiday decreed after the
package was released. SLA deadlines are counted without them from the moment they are saved;
collective leave counts as the national one does (cases/calendar.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, delete, get, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from serang_app.app_state import case_engine_of, database_of
from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.cases.closed_date_kinds import ClosedDateKind
from serang_app.http.problems import ApiError
from serang_app.http.text import PLAIN_TEXT

_ADMINS_ONLY = {"permission": "calendar.manage"}
Day = Annotated[date, PathParameter(description="The closed day, YYYY-MM-DD.")]
Reason = Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=200)]


class ClosedDate(msgspec.Struct, kw_only=True):
    day: date
    # In Indonesian (the name of the holiday, or why the offices close).
    reason: str
    # regional_holiday (hari libur daerah), collective_leave (cuti bersama of the region),
    # local_closure (everything else, and every day saved before kinds existed).
    kind: ClosedDateKind
    # The reason in English; null when the admin gave none.
    reason_en: str | None


class ClosedDateList(msgspec.Struct, kw_only=True):
    """All closures: a few a year, kept whole."""

    items: list[ClosedDate]


class ClosedDateChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Reason
    kind: ClosedDateKind = "local_closure"
    reason_en: Reason | None = None


class ClosedDateController(Controller):
    path = "/v1/admin/closed-dates"
    tags = ("admin",)
    opt = _ADMINS_ONLY

    @get(summary="Days the agencies are closed (besides weekends and national holidays)")
    async def list_closed_dates(self, state: State) -> ClosedDateList:
        async with database_of(state).acquire() as connection:
            rows = await connection.fetch("SELECT day, reason, kind, reason_en FROM closed_dates ORDER BY day")
        return ClosedDateList(
            items=[
                ClosedDate(day=row["day"], reason=row["reason"], kind=row["kind"], reason_en=row["reason_en"])
                for row in rows
            ]
        )

    # A path that is not a date names no day: 404, like any unknown address.
    @put("/{day:date}", summary="Close a day, or change its reason or kind", status_code=200, opt={"problems": [404]})
    async def close_day(
        self, request: Request[Principal, Any, Any], state: State, day: Day, data: JSONBody[ClosedDateChange]
    ) -> ClosedDate:
        async with database_of(state).acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO closed_dates (day, reason, kind, reason_en) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (day) DO UPDATE SET reason = excluded.reason, kind = excluded.kind, "
                "reason_en = excluded.reason_en",
                day,
                data.reason,
                data.kind,
                data.reason_en,
            )
            await _audit(connection, request, "calendar.day_closed", day)
        case_engine_of(state).calendars.invalidate()
        return ClosedDate(day=day, reason=data.reason, kind=data.kind, reason_en=data.reason_en)

    @delete("/{day:date}", summary="Open a closed day again", opt={"problems": [404]})
    async def reopen_day(self, request: Request[Principal, Any, Any], state: State, day: Day) -> None:
        async with database_of(state).acquire() as connection, connection.transaction():
            if await connection.fetchval("DELETE FROM closed_dates WHERE day = $1 RETURNING day", day) is None:
                raise ApiError(404)
            await _audit(connection, request, "calendar.day_reopened", day)
        case_engine_of(state).calendars.invalidate()


async def _audit(connection: asyncpg.Connection, request: Request[Principal, Any, Any], action: str, day: date) -> None:
    await record_by_caller(connection, request, action=action, object_type="closed_date", object_id=day.isoformat())
