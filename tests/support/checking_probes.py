"""Functions the tests run in a checking process (they must be importable by name there)."""

from __future__ import annotations

import os
import signal
import time

from serang_app.uploads.check_pool import check_file
from serang_app.uploads.refusal import FileRefusedError

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


def peak_memory_of_checking(data: bytes, declared_type: str) -> tuple[str, int]:
    """How the check ended, and the most memory its process ever held (VmHWM, in bytes)."""
    try:
        check_file(data, declared_type)
        outcome = "kept"
    except FileRefusedError as refused:
        outcome = refused.code
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return outcome, peak * 1024
