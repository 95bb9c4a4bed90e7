"""Functions the tests run in a checking process (they must be importable by name there)."""

from __future__ import annotations

import os
import signal
import time

MEBIBYTE = 1024 * 1024


def lifetime(seconds: float) -> tuple[int, float, float]:
    """The process it ran in, and when it started and ended (CLOCK_MONOTONIC is system-wide)."""
    started = time.monotonic()
    time.sleep(seconds)
    return os.getpid(), started, time.monotonic()


def allocate(mebibytes: int) -> int:
    return len(bytearray(mebibytes * MEBIBYTE))


def die() -> None:
    """What the kernel does to a process past its CPU limit, or when memory runs out."""
    os.kill(os.getpid(), signal.SIGKILL)
