"""Push delivery: real `serang-app worker` processes sending through firebase-admin to a local
stand-in for FCM (the tests' FakeGoogle), measured two ways:

- throughput: a backlog of BACKLOG notifications queued at once, drained by 1 and by 2 workers;
- delay: state changes committed at RATE per second for the run's seconds, each with its
  notification and push job; the delay is from the notification's commit to FCM's answer.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench import BenchError
from bench.load import percentile
from tests.support.fake_google import FakeGoogle

BACKLOG = 2000
RATE = 50  # state changes per second, the figure
TOKEN = "bench-fcm-token-aaaaaaaaaaaaaaaa"
_DRAIN_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class PushFigures:
    workers: int
    drained_per_second: float
    delay_p50_s: float
    delay_p99_s: float
    within_10_s: float  # share of pushes handed to FCM within 10 s of their change


def measure_push_delivery(
    database_url: str, environment: dict[str, str], run_folder: Path, seconds: int, workers: int
) -> PushFigures:
    with FakeGoogle() as google, ExitStack() as stack:
        env = {
            **environment,
            "FCM_CREDENTIALS_FILE": str(google.credentials_file),
            "FCM_API_URL": google.fcm_url,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        resident_id = asyncio.run(_resident_with_a_phone(database_url))
        for index in range(workers):
            stack.enter_context(running_worker(env, run_folder / f"worker-{workers}-{index}.log"))
        # Throughput: a backlog queued at once.
        started = time.monotonic()
        asyncio.run(_queue(database_url, resident_id, BACKLOG, rate=None))
        asyncio.run(_wait_until_done(database_url))
        drained = BACKLOG / (time.monotonic() - started)
        # Delay: changes at RATE per second, each committed on its own.
        asyncio.run(_forget_deliveries(database_url))
        asyncio.run(_queue(database_url, resident_id, RATE * seconds, rate=RATE))
        asyncio.run(_wait_until_done(database_url))
        delays = asyncio.run(_delays(database_url))
    if not delays:
        raise BenchError("no push was delivered")
    return PushFigures(
        workers=workers,
        drained_per_second=drained,
        delay_p50_s=percentile(delays, 0.50),
        delay_p99_s=percentile(delays, 0.99),
        within_10_s=sum(1 for delay in delays if delay <= 10.0) / len(delays),
    )


async def _resident_with_a_phone(dsn: str) -> object:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DELETE FROM push_deliveries; DELETE FROM push_jobs")
        resident_id = await connection.fetchval("INSERT INTO residents (locale) VALUES ('id') RETURNING id")
        await connection.execute(
            """INSERT INTO devices (installation_id, resident_id, fcm_token, platform, app_version, locale)
               VALUES ('bench-phone-0001', $1, $2, 'android', '1.0.0', 'id')
               ON CONFLICT (installation_id) DO UPDATE SET resident_id = excluded.resident_id""",
            resident_id,
            TOKEN,
        )
        return resident_id
    finally:
        await connection.close()


_QUEUE_ONE = """
WITH n AS (
    INSERT INTO notifications (recipient_kind, recipient_id, source, template, params)
    VALUES ('resident', $1, 'core', 'case.comment', '{"reference": "BNC-0000-000001"}')
    RETURNING id, created_at
)
INSERT INTO push_jobs (notification_id, not_before) SELECT id, created_at FROM n
"""


async def _queue(dsn: str, resident_id: object, count: int, *, rate: int | None) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        if rate is None:
            async with connection.transaction():
                await connection.executemany(_QUEUE_ONE, [(resident_id,)] * count)
            return
        started = time.monotonic()
        for index in range(count):
            await connection.execute(_QUEUE_ONE, resident_id)  # one commit per state change
            ahead = started + (index + 1) / rate - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
    finally:
        await connection.close()


async def _wait_until_done(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    deadline = time.monotonic() + _DRAIN_TIMEOUT_SECONDS
    try:
        while await connection.fetchval("SELECT count(*) FROM push_jobs WHERE state = 'queued'"):
            if time.monotonic() > deadline:
                raise BenchError("push jobs were still queued after two minutes (see the worker logs)")
            await asyncio.sleep(0.05)
    finally:
        await connection.close()


async def _forget_deliveries(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DELETE FROM push_deliveries")
    finally:
        await connection.close()


async def _delays(dsn: str) -> list[float]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """SELECT extract(epoch FROM d.at - n.created_at) AS delay
               FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id
               WHERE d.result = 'sent'"""
        )
    finally:
        await connection.close()
    return sorted(float(row["delay"]) for row in rows)


@contextmanager
def running_worker(environment: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One `serang-app worker` process, stopped with SIGINT (its graceful stop) at the end; in a
    session of its own, so that the mixed load can find it (bench/traffic/sampling.py)."""
    script = Path(sys.executable).parent / "serang-app"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(script), "worker"], env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
