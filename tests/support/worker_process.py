"""The real `serang-app worker` in a subprocess, configured as production runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from serang_app.auth.keys import new_secrets
from tests.support.processes import SERANG_APP, free_port, stop

# A bound for a start that hangs, not an expectation: under pytest-xdist several servers, workers
# and CLI runs start at once, and on a 2-core machine shared with other work one took over 30 s.
READY_TIMEOUT_SECONDS = 90.0


@contextmanager
def running_worker(database_url: str, log_path: Path, **environ: str) -> Iterator[str]:
    """Run the worker until the block ends, with its metrics port on; yields that port's base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SERANG_ENV": "production",
        **new_secrets(),
        "SERANG_PUBLIC_URL": "https://layanan.serangkab.go.id",
        "SERANG_HOST": "127.0.0.1",
        "SERANG_WORKER_METRICS_PORT": str(port),
        **environ,
    }
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen([SERANG_APP, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(process, base_url, log_path)
            yield base_url
        finally:
            stop(process, signal.SIGTERM, timeout=10)


def _wait_for_port(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serang-app worker exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            httpx.get(f"{base_url}/metrics", timeout=1.0)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return
    pytest.fail(
        f"the worker's metrics port did not answer within {READY_TIMEOUT_SECONDS:.0f} s:\n{log_path.read_text()}"
    )
