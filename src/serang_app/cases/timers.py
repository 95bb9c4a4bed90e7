"""Transitions a workflow takes by itself after some days (`Transition.after_days`): a resolved
complaint nobody rated closes after a week. The worker's `take_timed_transitions` task runs it.

Days are calendar days from the moment the case entered its status (`cases.status_since`): the
resident's window to react is about their time, not the agencies' working days.
"""

from __future__ import annotations

from datetime import timedelta

from serang_app.auth.actor import SYSTEM_ACTOR
from serang_app.cases.engine import CaseEngine
from serang_app.cases.transitions import take_action
from serang_app.db.pool import Database

BATCH_SIZE = 100

_DUE = """
SELECT id FROM cases
WHERE module = $1 AND workflow = $2 AND status = ANY($3::text[]) AND status_since <= now() - $4::interval
ORDER BY status_since
LIMIT $5
FOR UPDATE SKIP LOCKED
"""


async def take_timed_transitions(database: Database, engine: CaseEngine) -> int:
    """Take every timed transition that is due; returns how many cases moved. Several workers
    may run it at once: each claims its cases with SKIP LOCKED."""
    moved = 0
    for registered in engine.workflows.all():
        for transition in registered.workflow.transitions:
            if transition.after_days is None:
                continue
            while True:
                async with database.acquire() as connection, connection.transaction():
                    due = await connection.fetch(
                        _DUE,
                        registered.module,
                        registered.workflow.code,
                        list(transition.source),
                        timedelta(days=transition.after_days),
                        BATCH_SIZE,
                    )
                    for row in due:
                        await take_action(
                            engine, connection, SYSTEM_ACTOR, row["id"], transition.action, expected_version=None
                        )
                moved += len(due)
                if len(due) < BATCH_SIZE:
                    break
    return moved
