"""The worker's liveness signal: `serang-app worker-health` against a real `serang-app worker`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import structlog.testing

from serang_app.auth.keys import new_secrets
from serang_app.declaration import PeriodicTask
from serang_app.worker.context import WorkerContext
from serang_app.worker.heartbeat import HEARTBEAT_FILE_NAME, LateTask, late_tasks
from serang_app.worker.runner import CORE_TASKS, run_worker
from tests.support.processes import SERANG_APP, run_cli, stop

# Generous bounds for "eventually", never a measured duration: the machine may be busy.
PATIENCE_SECONDS = 60.0
# The bound the health check is given here: short, so that a stopped worker is found out quickly.
MAX_LATE = "2"


def health(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("worker-health", "--max-late", MAX_LATE, env={"SERANG_DATA_DIR": str(data_dir)})


def eventually(check: Callable[[], subprocess.CompletedProcess[str]], wanted: int) -> subprocess.CompletedProcess[str]:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        result = check()
        if result.returncode == wanted or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


@contextmanager
def running_worker(database_url: str, data_dir: Path, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "SERANG_ENV": "production",
        "DATABASE_URL": database_url,
        "SERANG_PUBLIC_URL": "https://layanan.serangkab.go.id",
        "SERANG_DATA_DIR": str(data_dir),
        **new_secrets(),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen([SERANG_APP, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGCONT)  # a stopped process would never see the SIGINT
            stop(process)


@pytest.mark.e2e
def test_a_running_worker_passes_and_a_stopped_one_fails(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    before = health(data_dir)
    assert before.returncode == 1
    assert before.stderr == (
        f"serang-app: worker unhealthy: no heartbeat at {data_dir / HEARTBEAT_FILE_NAME}: "
        "the worker has not started its loop\n"
    )

    with running_worker(database_url, data_dir, tmp_path / "worker.log") as worker:
        alive = eventually(lambda: health(data_dir), wanted=0)
        assert alive.returncode == 0, alive.stderr + (tmp_path / "worker.log").read_text(errors="replace")
        assert alive.stdout.startswith("worker healthy: ")

        # Frozen as a hung process is: alive to the kernel, but its loop makes no round.
        worker.send_signal(signal.SIGSTOP)
        stuck = eventually(lambda: health(data_dir), wanted=1)
        assert stuck.returncode == 1, stuck.stdout
        prefix = f"serang-app: worker unhealthy: overdue by more than {MAX_LATE} s: "
        assert stuck.stderr.startswith(prefix)
        # Which of the frequent tasks is found late first depends on when the process stopped.
        late = re.findall(r"([\w.]+) \(\d+ s\)", stuck.stderr.removeprefix(prefix))
        assert late
        assert set(late) <= {task.name for task in CORE_TASKS}

        worker.send_signal(signal.SIGCONT)
        assert eventually(lambda: health(data_dir), wanted=0).returncode == 0

    assert worker.returncode == 0, (tmp_path / "worker.log").read_text(errors="replace")


async def test_a_task_that_hangs_is_named_while_the_others_keep_time(tmp_path: Path) -> None:
    """The loop may run while one task never returns: the check names that task, not the others."""

    async def quick(context: WorkerContext) -> None:
        return None

    async def hangs(context: WorkerContext) -> None:
        await asyncio.Event().wait()

    heartbeat = tmp_path / HEARTBEAT_FILE_NAME
    stop = asyncio.Event()
    context = WorkerContext(database=None, storage=None)  # type: ignore[arg-type]  # neither task uses them
    tasks = [PeriodicTask("quick", 0.05, quick), PeriodicTask("hangs", 0.05, hangs)]
    loop = asyncio.create_task(run_worker(context, tasks, stop, heartbeat))
    try:
        deadline = time.monotonic() + PATIENCE_SECONDS
        late: list[LateTask] = []
        while not late and time.monotonic() < deadline:
            await asyncio.sleep(0.1)  # also lets the loop start and write its first heartbeat
            late, count = late_tasks(heartbeat, max_late_seconds=1.0)
        assert [task.name for task in late] == ["hangs"]
        assert count == 2
    finally:
        stop.set()
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop


@pytest.mark.e2e
def test_an_unreadable_heartbeat_is_one_line(tmp_path: Path) -> None:
    (tmp_path / HEARTBEAT_FILE_NAME).write_text("{not json", encoding="utf-8")
    result = health(tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"serang-app: worker unhealthy: unreadable heartbeat at {tmp_path}/")
    assert result.stderr.count("\n") == 1


async def test_a_heartbeat_that_cannot_be_written_never_stops_the_work(tmp_path: Path) -> None:
    rounds = 0

    async def counts(context: WorkerContext) -> None:
        nonlocal rounds
        rounds += 1

    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    heartbeat = tmp_path / "not-a-folder" / HEARTBEAT_FILE_NAME
    stop = asyncio.Event()
    context = WorkerContext(database=None, storage=None)  # type: ignore[arg-type]  # the task uses neither
    with structlog.testing.capture_logs() as logs:
        loop = asyncio.create_task(run_worker(context, [PeriodicTask("counts", 0.01, counts)], stop, heartbeat))
        deadline = time.monotonic() + PATIENCE_SECONDS
        while rounds < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        await loop
    assert rounds >= 5
    warnings = [entry for entry in logs if entry["event"] == "worker_heartbeat_not_written"]
    assert len(warnings) == 1  # said once, not at every round


@pytest.mark.e2e
def test_the_worker_refuses_a_data_folder_it_cannot_write_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    result = run_cli("worker", env={"SERANG_DATA_DIR": str(tmp_path / "not-a-folder")})
    assert result.returncode == 2
    assert result.stderr == f"serang-app: SERANG_DATA_DIR: cannot create {tmp_path / 'not-a-folder'}: File exists\n"
