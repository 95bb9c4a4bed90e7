"""The worker loop: periodic tasks, each run on its own interval until the process is asked to stop.

Tasks are claimed from PostgreSQL (FOR UPDATE SKIP LOCKED) by the tasks themselves, so any number
of workers may run at once. The core's tasks are listed in CORE_TASKS; modules add theirs
(ModuleSpec.tasks), and worker_tasks() gives the whole list.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from serang_app.announcements.delivery import deliver_announcements
from serang_app.announcements.topics import sync_device_topics
from serang_app.auth.revoked_sessions import delete_old_revocations
from serang_app.cases.engine import CaseEngine
from serang_app.cases.overdue import sweep_overdue_cases
from serang_app.cases.timers import take_timed_transitions
from serang_app.db.pool import Database
from serang_app.health.series import WORKER_TASK_LAST_SUCCESS, WORKER_TASK_RUNS
from serang_app.http.idempotency_store import delete_expired_keys
from serang_app.http.write_limits import delete_ended_windows
from serang_app.module_system.spec import ModuleSpec, ModuleTask, ModuleTaskContext
from serang_app.notifications.delivery import Delivery, deliver_due
from serang_app.stats.folding import fold_statistics
from serang_app.storage.backend import Storage
from serang_app.uploads.cleanup import delete_abandoned_uploads, delete_stray_incoming_files
from serang_app.worker.heartbeat import Heartbeat

logger = structlog.get_logger("serang_app.worker")


@dataclass(frozen=True, slots=True)
class WorkerContext:
    """What tasks work with: the database, the upload storage, and push delivery."""

    database: Database
    storage: Storage
    delivery: Delivery | None = None
    # The enabled modules' workflows, for the transitions the core takes by itself.
    cases: CaseEngine | None = None


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    name: str
    interval_seconds: float
    run: Callable[[WorkerContext], Awaitable[None]]


async def _delete_expired_idempotency_keys(context: WorkerContext) -> None:
    deleted = await delete_expired_keys(context.database)
    if deleted:
        logger.info("idempotency_keys_deleted", count=deleted)


async def _delete_old_revocations(context: WorkerContext) -> None:
    deleted = await delete_old_revocations(context.database)
    if deleted:
        logger.info("session_revocations_deleted", count=deleted)


async def _delete_ended_write_limit_windows(context: WorkerContext) -> None:
    await delete_ended_windows(context.database)


async def _sweep_overdue_cases(context: WorkerContext) -> None:
    marked = await sweep_overdue_cases(context.database)
    if marked:
        logger.info("overdue_cases_marked", count=marked)


async def _deliver_pushes(context: WorkerContext) -> None:
    if context.delivery is not None:
        await deliver_due(context.database, context.delivery)


async def _deliver_announcements(context: WorkerContext) -> None:
    if context.delivery is not None:
        delivery = context.delivery
        await deliver_announcements(
            context.database, delivery.sender, delivery.public_base_url, max_attempts=delivery.max_attempts
        )


async def _sync_device_topics(context: WorkerContext) -> None:
    if context.delivery is not None:
        await sync_device_topics(context.database, context.delivery.sender)


async def _take_timed_transitions(context: WorkerContext) -> None:
    if context.cases is not None:
        moved = await take_timed_transitions(context.database, context.cases)
        if moved:
            logger.info("timed_transitions_taken", count=moved)


async def _fold_statistics(context: WorkerContext) -> None:
    await fold_statistics(context.database)


async def _delete_abandoned_uploads(context: WorkerContext) -> None:
    deleted = await delete_abandoned_uploads(context.database, context.storage)
    if deleted:
        logger.info("abandoned_uploads_deleted", count=deleted)
    stray = await delete_stray_incoming_files(context.database, context.storage)
    if stray:
        logger.info("stray_incoming_files_deleted", count=stray)


CORE_TASKS: tuple[PeriodicTask, ...] = (
    # Pushes should reach FCM within seconds of the change that caused them.
    PeriodicTask("deliver_pushes", 1, _deliver_pushes),
    PeriodicTask("deliver_announcements", 1, _deliver_announcements),
    # A phone registered or a resident who moved district joins the right topics within seconds.
    PeriodicTask("sync_device_topics", 2, _sync_device_topics),
    # Expired keys are already ignored when read; this only keeps the table small.
    PeriodicTask("delete_expired_idempotency_keys", 15 * 60, _delete_expired_idempotency_keys),
    # Revocations outlive every access token they stop by up to this long; old ones are never read.
    PeriodicTask("delete_old_session_revocations", 15 * 60, _delete_old_revocations),
    # Ended windows count as empty when read; this only keeps the table small.
    PeriodicTask("delete_ended_write_limit_windows", 15 * 60, _delete_ended_write_limit_windows),
    # Due times fall at local midnight; a minute's delay in telling the supervisors is of no matter.
    PeriodicTask("sweep_overdue_cases", 60, _sweep_overdue_cases),
    # Timed transitions count whole days; a minute late is on time.
    PeriodicTask("take_timed_transitions", 60, _take_timed_transitions),
    # Readers add what is pending, so this only keeps the pending tables short (stats/folding.py).
    PeriodicTask("fold_statistics", 5, _fold_statistics),
    # Uploads never completed, or never attached to anything, after a day.
    PeriodicTask("delete_abandoned_uploads", 15 * 60, _delete_abandoned_uploads),
)


def worker_tasks(specs: Sequence[ModuleSpec]) -> tuple[PeriodicTask, ...]:
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
    tasks: Sequence[PeriodicTask],
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


async def _repeat(context: WorkerContext, task: PeriodicTask, stop: asyncio.Event, heartbeat: Heartbeat | None) -> None:
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
