"""The worker's `mark_no_shows`: a booking not checked in by the end of its slot is a no-show;
its resident is told, and may book the service again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from serang_app.api import SYSTEM_ACTOR, CaseEngine, Database, ModuleTaskContext, take_action
from serang_app.modules.appointments.rules import Clock

BATCH_SIZE = 100

_DUE = """
SELECT id, case_id FROM appointments.bookings
WHERE active AND status = 'booked' AND NOT walk_in AND ends_at <= $1
ORDER BY ends_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""


async def mark_no_shows(database: Database, engine: CaseEngine, now: datetime) -> int:
    """Mark every booking whose slot ended by `now`; returns how many. Workers running it at once
    each claim their own (SKIP LOCKED)."""
    marked = 0
    while True:
        async with database.acquire() as connection, connection.transaction():
            due = await connection.fetch(_DUE, now, BATCH_SIZE)
            for row in due:
                await take_action(engine, connection, SYSTEM_ACTOR, row["case_id"], "no_show", expected_version=None)
                await connection.execute(
                    "UPDATE appointments.bookings SET status = 'no_show', active = false, updated_at = now() WHERE id = $1",
                    row["id"],
                )
        marked += len(due)
        if len(due) < BATCH_SIZE:
            return marked


def no_show_task(clock: Clock) -> Callable[[ModuleTaskContext], Awaitable[None]]:
    async def run(context: ModuleTaskContext) -> None:
        await mark_no_shows(context.database, context.cases, clock())

    return run
