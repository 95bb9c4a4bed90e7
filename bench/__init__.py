"""`make bench`: the service in production shape under load, beside a bare Litestar ceiling.

Run with `make bench` (or `.venv/bin/python -m bench`). See docs/performance.md for what the
figures mean and the environment variables that tune a run.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Everything the benchmark leaves behind lives here; var/ is git-ignored.
WORK_FOLDER = PROJECT_ROOT / "var" / "bench"


class BenchError(Exception):
    """The benchmark cannot go on; the message says why in one line."""
