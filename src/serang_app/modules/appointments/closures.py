"""Closing a day: no slot is offered; the day's bookings are cancelled and their residents told
to book another time (the seats are freed, the reminders withdrawn)."""

from __future__ import annotations

from datetime import date

import asyncpg

from serang_app.api import ApiError, CaseActor, CaseEngine, LocalizedFieldError, notify_resident, take_action
from serang_app.modules.appointments.booking import MODULE, booking_row, release
from serang_app.modules.appointments.schemas import Closure, ClosureResult
from serang_app.modules.appointments.timetable import start_of_day
from serang_app.modules.appointments.workflow import DAY_CLOSED


async def close_day(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, day: date, closure: Closure
) -> ClosureResult:
    """Inside a transaction. Closing the same day again changes the reason (and cancels any
    booking made meanwhile: none can be, the day offers no slot)."""
    if closure.place_code is not None and not await connection.fetchval(
        "SELECT 1 FROM appointments.places WHERE code = $1", closure.place_code
    ):
        raise ApiError(422, errors=[LocalizedFieldError("place_code", "Tempat tidak dikenal", "Unknown place")])
    await connection.execute(
        """INSERT INTO appointments.closures (day, place_code, reason) VALUES ($1, $2, $3)
           ON CONFLICT (day, coalesce(place_code, '')) DO UPDATE SET reason = excluded.reason""",
        day,
        closure.place_code,
        closure.reason,
    )
    start = start_of_day(day, engine.zone)
    ids = await connection.fetch(
        """SELECT id FROM appointments.bookings
           WHERE active AND status = 'booked' AND NOT walk_in AND starts_at >= $1 AND starts_at < $1 + interval '1 day'
             AND ($2::text IS NULL OR place_code = $2)
           ORDER BY starts_at FOR UPDATE""",
        start,
        closure.place_code,
    )
    for entry in ids:
        row = await booking_row(connection, "WHERE b.id = $1", entry["id"])
        assert row is not None
        await take_action(engine, connection, actor, row["case_id"], "close_day", expected_version=None)
        await release(connection, row, "office_closed")
        await notify_resident(
            connection,
            row["resident_id"],
            row["case_id"],
            source=MODULE,
            template=DAY_CLOSED,
            params={
                "reference": row["reference"],
                "place": row["place_name"],
                "day": day.strftime("%d-%m-%Y"),
                "reason": closure.reason,
            },
        )
    return ClosureResult(day=day, place_code=closure.place_code, reason=closure.reason, cancelled=len(ids))


async def reopen_day(connection: asyncpg.Connection, day: date, place_code: str | None) -> None:
    """Remove a closure: the day offers slots again (cancelled bookings stay cancelled)."""
    removed = await connection.fetchval(
        "DELETE FROM appointments.closures WHERE day = $1 AND place_code IS NOT DISTINCT FROM $2 RETURNING id",
        day,
        place_code,
    )
    if removed is None:
        raise ApiError(404)
