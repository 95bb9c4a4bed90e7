"""Large blocks from the system and back to it: glibc malloc's mmap threshold fixed at its default.

glibc serves a request of at least its mmap threshold (128 KiB to start with) from a mapping of its
own, which goes back to the system when freed. But each time such a block is freed it raises the
threshold to that block's size (up to 32 MiB), so once a photo (about 1.3 MB) has passed through a
process, photos and other large buffers come from the heap instead, and the room they leave there
stays with the process. The soak (docs/performance.md, "The soak after its warm-up") saw the web
workers' RSS grow 5-6 % in the 30 minutes after its warm-up; sampled from inside, their Python
objects and malloc's bytes in use stayed flat: the growth was free memory malloc kept. Setting
the threshold explicitly turns the raising off (mallopt(3)).

Written here with ctypes because no library wraps mallopt, and glibc's own setting for it
(GLIBC_TUNABLES) is read only when a program starts, which `serve` cannot arrange for the
workers granian forks from it. So each process that serves makes the call as it starts: the HTTP
processes in granian's factory (startup/served.py), the worker in its command (cli.py).
"""

from __future__ import annotations

import ctypes
import sys

# mallopt's parameter number for the mmap threshold, from glibc's <malloc.h>.
M_MMAP_THRESHOLD = -3
# glibc's own starting value: the point is to stop it moving, not to choose another.
MMAP_THRESHOLD_BYTES = 128 * 1024


def fix_mmap_threshold() -> bool:
    """Fix the threshold in this process (and the processes it forks from now on). False where the
    C library is not glibc (musl, macOS), which have no such threshold to fix."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter itself runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
