"""What the mixed load reports beside Locust's figures: the memory of every process of the run, the
database's connections, the pools' waits, and how long pushes took from commit to FCM."""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from bench import BenchError
from bench.load import percentile
from bench.probe import get

_PROC = Path("/proc")
_SAMPLE_SECONDS = 2.0


def processes_of(sessions: Iterable[int]) -> dict[int, str]:
    """pid -> short name of every process in these sessions (a server and its workers and checkers)."""
    wanted = frozenset(sessions)
    found: dict[int, str] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="ascii", errors="replace").rpartition(")")[2].split()
            if int(fields[3]) not in wanted:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry.name)] = _short(command)
    return found


def _short(command: str) -> str:
    words = command.split()
    for known in ("serang-app serve", "serang-app worker", "locust", "granian", "multiprocessing"):
        if known in command:
            return known
    return " ".join(Path(word).name for word in words[:2])


def rss_mib(pid: int) -> float | None:
    try:
        for line in (_PROC / str(pid) / "status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def memory_snapshot(sessions: Iterable[int]) -> dict[str, float]:
    """ "name pid" -> RSS in MiB, for every process of these sessions now."""
    snapshot: dict[str, float] = {}
    for pid, name in sorted(processes_of(sessions).items()):
        rss = rss_mib(pid)
        if rss is not None:
            snapshot[f"{name} {pid}"] = round(rss, 1)
    return snapshot


@dataclass(slots=True)
class ConnectionSampler:
    """The database's sessions (all of them, on the run's database) every two seconds, in a thread."""

    dsn: str
    database: str
    samples: list[tuple[int, int]] = field(default_factory=list)  # (all, active)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    async def _run(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            while not self._stop.is_set():
                row = await connection.fetchrow(
                    """SELECT count(*) AS sessions, count(*) FILTER (WHERE state = 'active') AS active
                       FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()""",
                    self.database,
                )
                assert row is not None
                self.samples.append((row["sessions"], row["active"]))
                await asyncio.sleep(_SAMPLE_SECONDS)
        finally:
            await connection.close()


_BUCKET = re.compile(rb'^serang_db_pool_acquire_seconds_bucket\{le="([^"]+)"\} ([0-9.e+]+)$', re.MULTILINE)
_COUNT = re.compile(rb"^serang_db_pool_acquire_seconds_count ([0-9.e+]+)$", re.MULTILINE)


def pool_acquires(port: int, token: str) -> dict[str, float]:
    """The web processes' pool acquisitions so far (all workers, from /metrics): how many, and how
    many waited longer than 5 ms and 50 ms."""
    # A saturated service may take long to answer: a run past its capacity must still finish and
    # report what it measured, so a figure that cannot be read is left out, not fatal.
    try:
        status, body = get(port, "/metrics", timeout=30.0, headers={"Authorization": f"Bearer {token}"})
    except OSError:
        return {}
    if status != 200:
        return {}
    buckets = {float(bound): float(value) for bound, value in _BUCKET.findall(body) if bound != b"+Inf"}
    counted = _COUNT.search(body)
    total = float(counted.group(1)) if counted else 0.0
    return {
        "acquires": total,
        "over_5_ms": total - buckets.get(0.005, total),
        "over_50_ms": total - buckets.get(0.05, total),
    }


@dataclass(frozen=True, slots=True)
class PushDelays:
    sent: int
    p50_s: float
    p95_s: float
    p99_s: float
    within_10_s: float


async def push_delays(dsn: str, since: float) -> PushDelays:
    """From each notification's commit (its created_at, or the time it was due) to FCM's answer,
    for the notifications of the run that were due during it."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """SELECT extract(epoch FROM d.at - n.created_at) AS delay
               FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id
               WHERE d.result = 'sent' AND n.created_at >= to_timestamp($1)""",
            since,
        )
    finally:
        await connection.close()
    delays = sorted(float(row["delay"]) for row in rows)
    if not delays:
        return PushDelays(0, 0.0, 0.0, 0.0, 0.0)
    return PushDelays(
        sent=len(delays),
        p50_s=percentile(delays, 0.50),
        p95_s=percentile(delays, 0.95),
        p99_s=percentile(delays, 0.99),
        within_10_s=sum(1 for delay in delays if delay <= 10.0) / len(delays),
    )


def wait_until(deadline: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Sleep until `deadline` (time.monotonic()); with `process`, stop early with an error when it
    has exited, so a load generator that failed at its start does not keep the run waiting."""
    while (ahead := deadline - time.monotonic()) > 0:
        time.sleep(min(ahead, 1.0))
        if process is not None and process.poll() is not None:
            raise BenchError(f"the load generator exited early (code {process.returncode})")
