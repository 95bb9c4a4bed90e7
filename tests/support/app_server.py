"""The real `serang-app serve` in a subprocess, for tests that speak HTTP to it as a client would."""

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
from tests.support.processes import SERANG_APP, free_port

# A bound for a start that hangs, not an expectation: under pytest-xdist several servers, workers
# and CLI runs start at once, and on a 2-core machine shared with other work one took over 30 s.
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 10.0


@contextmanager
def running_app(database_url: str, log_path: Path, command: str = SERANG_APP, **environ: str) -> Iterator[str]:
    """Serve the app on a free local port until the block ends; yields its base URL.

    `command`: the serang-app to run (another environment's, to serve what is installed there).

    The server's output goes to ``log_path`` (a pipe nobody reads could fill up and stall it) and
    is quoted in the failure when the server does not become ready.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SERANG_ENV": "production",
        **new_secrets(),
        "SERANG_PUBLIC_URL": base_url,
        "SERANG_RATE_LIMIT_PER_MINUTE": "0",
        "SERANG_RATE_LIMIT_WRITES_PER_MINUTE": "0",
        "SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "0",
        "SERANG_ACCESS_LOG": "false",
        **environ,
    }
    # As deployed: production keeps the background worker out of the web process. The rate
    # limits are off because a test client sends far more than a resident's share of requests.
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(process, base_url, log_path)
            yield base_url
        finally:
            _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serang-app serve exited with {process.returncode} before it was ready:\n{_output(log_path)}")
        try:
            response = httpx.get(f"{base_url}/readyz", timeout=1.0)
        except httpx.TransportError as error:
            last_error = repr(error)
        else:
            if response.status_code == 200:
                return
            last_error = f"/readyz answered {response.status_code}: {response.text}"
        time.sleep(0.1)
    pytest.fail(
        f"serang-app serve was not ready after {READY_TIMEOUT_SECONDS:.0f} s ({last_error}):\n{_output(log_path)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _output(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")
