"""Large blocks keep coming from their own mappings after one has been freed (startup/allocator.py).

Each case runs in a fresh interpreter, so that nothing freed before it (in pytest's own process,
plenty) has moved glibc's threshold already. glibc's `mallinfo2()` says how many bytes are in
mappings of their own (`hblkhd`) while a second block of a photo's size is held.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

PHOTO_BYTES = 1_400_000

PROBE = f"""
import ctypes, sys
from serang_app.startup.allocator import fix_mmap_threshold

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = MallInfo2
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
first = bytearray({PHOTO_BYTES})
del first  # glibc raises its threshold to this block's size unless it was fixed
before = mallinfo2().hblkhd
second = bytearray({PHOTO_BYTES})
print(mallinfo2().hblkhd - before)
"""


def _mapped_bytes_of_the_second_block(mode: str) -> int:
    probe = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=60, check=False)
    assert probe.returncode == 0, probe.stderr
    return int(probe.stdout)


def test_with_the_threshold_fixed_a_freed_photo_does_not_send_the_next_to_the_heap() -> None:
    # The premise: left to itself, glibc serves the second block from the heap.
    assert _mapped_bytes_of_the_second_block("default") < PHOTO_BYTES
    assert _mapped_bytes_of_the_second_block("fixed") >= PHOTO_BYTES
