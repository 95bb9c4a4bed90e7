"""How an HTTP worker process tells `serang-app serve` why it could not start.

granian runs the app in worker processes. When one fails at start-up, granian starts it again,
and again for as long as each attempt takes more than a few seconds (a database that does not
answer), the reason buried in the workers' logs. So `serve` names a file in SERANG_STARTUP_REPORT
(set for its workers, not a setting); a failing worker appends its one line there and asks `serve`
to stop, which then prints the first line as its own last word and exits non-zero.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPORT_VARIABLE = "SERANG_STARTUP_REPORT"


@contextmanager
def startup_report() -> Iterator[Path]:
    """A fresh, empty report file named in the environment the worker processes inherit."""
    with tempfile.TemporaryDirectory(prefix="serang-startup-") as folder:
        path = Path(folder) / "failures"
        path.touch()
        os.environ[REPORT_VARIABLE] = str(path)
        try:
            yield path
        finally:
            os.environ.pop(REPORT_VARIABLE, None)


def report_path() -> Path | None:
    """The file to report to, in a worker process started by `serve`; None anywhere else."""
    value = os.environ.get(REPORT_VARIABLE)
    return Path(value) if value else None


def report_and_stop(path: Path, line: str) -> None:
    """Write the line for `serve`, then stop it (granian's worker processes are its children)."""
    # One write of one line in append mode: lines of workers failing at once do not interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)
    os.kill(os.getppid(), signal.SIGTERM)  # granian's graceful stop, as `docker stop` sends


def first_report(path: Path) -> str | None:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return lines[0] if lines else None
