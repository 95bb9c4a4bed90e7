"""One round of a core worker task, run as the worker runs it (CORE_TASKS, a WorkerContext), for a
test that drives the worker itself rather than starting its loop (docs/testing.md)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from litestar import Litestar

from serang_app.app_state import case_engine_of, storage_of
from serang_app.db.pool import Database
from serang_app.worker.context import WorkerContext
from serang_app.worker.runner import CORE_TASKS


async def run_core_task(app: Litestar, database: Database, name: str, *, at: datetime | None = None) -> None:
    """Run the core task `name` once with the app's case engine and storage.

    `database`: a pool of the test's own loop (the `app_database` fixture), not the app's, which
    lives in the test client's loop. `at`: the case engine's clock for this round (CaseEngine.now),
    so a test sees what the worker does at a chosen instant: `run_core_task(client.app,
    app_database, "sweep_overdue_cases", at=...)` takes the escalation steps due then
    (docs/cases.md, "Escalation").
    """
    engine = case_engine_of(app.state)
    if at is not None:
        engine = dataclasses.replace(engine, now=lambda: at)
    task = next(task for task in CORE_TASKS if task.name == name)
    await task.run(WorkerContext(database=database, storage=storage_of(app.state), cases=engine))
