"""The worker loop: periodic tasks, each run on its own interval until the process is asked to stop.

Tasks are claimed from PostgreSQL (FOR UPDATE SKIP LOCKED) by the tasks themselves, so any number
of workers may run at once. The core's domains declare theirs (each `domain.py`, gathered in
CORE_TASKS from domains.py); modules add theirs (ModuleSpec.tasks), and worker_tasks() gives the
whole list.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import structlog

from serang_app.declaration import PeriodicTask
from serang_app.domains import CORE_DOMAINS
from serang_app.health.series import WORKER_TASK_LAST_SUCCESS, WORKER_TASK_RUNS
from serang_app.module_system.spec import ModuleSpec, ModuleTask, ModuleTaskContext
from serang_app.worker.context import WorkerContext
from serang_app.worker.heartbeat import Heartbeat

logger = structlog.get_logger("serang_app.worker")


# Every core domain's tasks (each domain's domain.py declares its own).
CORE_TASKS: tuple[PeriodicTask[WorkerContext], ...] = tuple(task for domain in CORE_DOMAINS for task in domain.tasks)


def worker_tasks(specs: Sequence[ModuleSpec]) -> tuple[PeriodicTask[WorkerContext], ...]:
    """The core's tasks and every enabled module's, named `{slug}.{name}` in the logs."""
    return CORE_TASKS + tuple(
        PeriodicTask(f"{spec.slug}.{task.name}", task.interval_seconds, _module_task(task))
        for spec in specs
        for task in spec.tasks
    )


def _module_task(task: ModuleTask) -> Callable[[WorkerContext], Awaitable[None]]:
    async def run(context: WorkerContext) -> None:
        if context.cases is not None:
            await task.run(ModuleTaskContext(database=context.database, cases=context.cases))

    return run


async def run_worker(
    context: WorkerContext,
    tasks: Sequence[PeriodicTask[WorkerContext]],
    stop: asyncio.Event,
    heartbeat_file: Path | None = None,
) -> None:
    """Run every task on its interval until ``stop``; with ``heartbeat_file``, record each round's end
    there for `serang-app worker-health` (worker/heartbeat.py)."""
    heartbeat = (
        Heartbeat(heartbeat_file, {task.name: task.interval_seconds for task in tasks}) if heartbeat_file else None
    )
    if heartbeat is not None:
        heartbeat.start()
    logger.info("worker_started", tasks=[task.name for task in tasks])
    async with asyncio.TaskGroup() as group:
        for task in tasks:
            group.create_task(_repeat(context, task, stop, heartbeat))
        group.create_task(stop.wait())
    logger.info("worker_stopped")


async def _repeat(
    context: WorkerContext, task: PeriodicTask[WorkerContext], stop: asyncio.Event, heartbeat: Heartbeat | None
) -> None:
    while not stop.is_set():
        try:
            await task.run(context)
        except Exception:  # one failing round must not stop the worker; the next round retries
            WORKER_TASK_RUNS.labels(task.name, "failed").inc()
            logger.exception("worker_task_failed", task=task.name)
        else:
            # What the liveness alert watches: a task whose last good round is old is stuck.
            WORKER_TASK_RUNS.labels(task.name, "ok").inc()
            WORKER_TASK_LAST_SUCCESS.labels(task.name).set_to_current_time()
        # A failed round counts too for the heartbeat: the loop is alive, and the failure is in the log.
        if heartbeat is not None:
            heartbeat.round_finished(task.name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=task.interval_seconds)
