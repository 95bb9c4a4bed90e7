"""The worker's liveness signal: a file its loop rewrites after every round, and the check that reads it.

A process that runs is not necessarily a worker that works: its event loop may be blocked, or a task
may hang on a call that never returns. So each task records when its last round ended, and
`serang-app worker-health` (compose's health check) fails when any task is late by more than a
bound, the interval it was due at included. The file lives in the worker's own data folder: each
container has its own, so M replicas never share one.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

logger = structlog.get_logger("serang_app.worker")

HEARTBEAT_FILE_NAME = "worker-heartbeat.json"


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / HEARTBEAT_FILE_NAME


class Heartbeat:
    """What the loop writes: each task's interval and the end of its last round (Unix time)."""

    def __init__(self, path: Path, intervals: dict[str, float]) -> None:
        self._path = path
        self._intervals = intervals
        # A task that has not finished its first round yet is counted from the start.
        started = time.time()
        self._finished_at = dict.fromkeys(intervals, started)
        self._failing = False

    def start(self) -> None:
        self._record()

    def round_finished(self, task: str) -> None:
        self._finished_at[task] = time.time()
        self._record()

    def _record(self) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._write()
        except OSError as error:
            # A full or read-only disk must not stop the work itself: the file goes stale, so the
            # health check fails, and the log says why (once, not at every round).
            if not self._failing:
                logger.warning("worker_heartbeat_not_written", path=str(self._path), error=error.strerror)
            self._failing = True
        else:
            self._failing = False

    def _write(self) -> None:
        tasks = {
            name: {"interval_seconds": interval, "finished_at": self._finished_at[name]}
            for name, interval in self._intervals.items()
        }
        # Written beside, then renamed: the check never reads half a file.
        partial = self._path.with_name(f".{self._path.name}.{os.getpid()}")
        partial.write_text(json.dumps({"pid": os.getpid(), "tasks": tasks}), encoding="utf-8")
        partial.replace(self._path)


@dataclass(frozen=True, slots=True)
class LateTask:
    name: str
    late_seconds: float


class HeartbeatError(Exception):
    """No heartbeat file, or not one the worker wrote: the worker has not started (or never will)."""


def late_tasks(path: Path, max_late_seconds: float) -> tuple[list[LateTask], int]:
    """The tasks whose next round is overdue by more than ``max_late_seconds``, and how many tasks run."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))["tasks"]
        due = {name: float(task["finished_at"]) + float(task["interval_seconds"]) for name, task in tasks.items()}
    except FileNotFoundError:
        raise HeartbeatError(f"no heartbeat at {path}: the worker has not started its loop") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise HeartbeatError(f"unreadable heartbeat at {path}: {error}") from None
    now = time.time()
    late = [LateTask(name, now - when) for name, when in due.items() if now - when > max_late_seconds]
    return sorted(late, key=lambda task: -task.late_seconds), len(due)
