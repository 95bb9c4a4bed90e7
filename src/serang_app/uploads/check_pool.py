"""The processes that check uploaded files, so that what residents send cannot take the API down.

Decoding a photo and parsing a PDF are the heavy work residents can trigger. It runs in a pool of
`SERANG_UPLOAD_CHECK_PROCESSES` (1) processes per web process, never in the web process itself:
- at most that many files are being read and checked at once per web process (the others wait
  their turn, holding no file in memory: completion reads the file after taking a slot), and at
  most `SERANG_UPLOAD_CHECK_QUEUE` (32) completions wait: the next is refused at once with how
  long to wait (CheckQueueFullError, answered 503 with Retry-After), its file kept for a retry,
  rather than left waiting until the phone gives up;
- each check runs in a new process, forked from a small server process that has already imported
  Pillow and pypdf, and ending after that one check: whatever the check took (memory that glibc
  would otherwise keep in the web process for good) goes back to the system with it;
- each such process may use at most CHILD_ADDRESS_SPACE_BYTES of memory and CHILD_CPU_SECONDS of
  CPU: past the first, Pillow and pypdf fail to allocate; past the second, the kernel ends the
  process. Both refuse the file as `upload_too_complex`. The pixel limits (images.py) keep
  every real photo far below either.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import math
import multiprocessing
import resource
import sys
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, TypeVarTuple

from serang_app.uploads.purposes import PDF_TYPE, PHOTO_TYPES
from serang_app.uploads.refusal import FileRefusedError

if TYPE_CHECKING:
    from serang_app.uploads.images import ProcessedPhoto

# The checks themselves, on Pillow and pypdf: imported by the fork server (see _preloaded_modules)
# and so by every checking process, not by the web process, the worker or a CLI command, which
# import this module and never decode a file (docs/testing.md, "Process starts").
CHECK_MODULES = ("serang_app.uploads.images", "serang_app.uploads.documents")

MEBIBYTE = 1024 * 1024
# A checking process starts at about 150 MiB of address space (Python, Pillow, pypdf mapped in);
# the largest accepted photo needs about 130 MiB more.
CHILD_ADDRESS_SPACE_BYTES = 768 * MEBIBYTE
CHILD_CPU_SECONDS = 20
# A check that breaks its process is tried once more in a new pool: with several processes, the
# others' checks break with it, and they should not be refused for another's file.
_ATTEMPTS = 2
# How long a slot is held (read, check, write), guessed until this process has measured one, and
# how much each new measurement moves the average the Retry-After estimate uses.
_FIRST_GUESS_SECONDS = 0.5
_AVERAGE_WEIGHT = 0.2
_LONGEST_RETRY_AFTER_SECONDS = 60
Result = TypeVar("Result")
Arguments = TypeVarTuple("Arguments")


def check_file(data: bytes, declared_type: str) -> ProcessedPhoto | None:
    """In a checking process: the photo's re-encoded files, or None for a PDF that may be kept;
    FileRefusedError(code) when the file is refused."""
    from serang_app.uploads.documents import check_document  # the fork server has imported both
    from serang_app.uploads.images import process_photo

    try:
        if declared_type in PHOTO_TYPES:
            return process_photo(data, declared_type)
        if declared_type == PDF_TYPE:
            check_document(data)
            return None
    except MemoryError:
        raise FileRefusedError("upload_too_complex") from None
    raise FileRefusedError("upload_type_mismatch")


def _preloaded_modules() -> list[str]:
    """This module, the checks' own (CHECK_MODULES), and the modules the main script imports.

    multiprocessing runs the parent's main script again in every process it starts (so that what
    the script defines can be unpickled there). A console script (`serang-app`, `granian`) only
    imports its entry point from a module: with that module already imported by the fork server,
    each checking process starts in milliseconds instead of importing the CLI's dependencies anew.
    The script's own import lines are read because its names do not tell (`main` of `serang-app`
    is a click command, whose class lives in click).
    """
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    try:
        script = ast.parse(Path(path).read_bytes()) if path else None
    except (OSError, SyntaxError, ValueError):
        script = None  # not a Python file (a frozen or compiled entry point): nothing to preload
    imported: list[str] = []
    for statement in script.body if script is not None else ():
        if isinstance(statement, ast.ImportFrom) and statement.module and statement.level == 0:
            imported.append(statement.module)
        elif isinstance(statement, ast.Import):
            imported.extend(alias.name for alias in statement.names)
    # Only what this process imported without trouble: a module failing in the fork server would stop it.
    own = [__name__, *CHECK_MODULES]
    return [*own, *sorted(name for name in set(imported) - set(own) if name in sys.modules)]


def _limit_this_process() -> None:
    # A system that refuses a limit (macOS, for address space) checks without it: the pixel
    # limits still hold.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE_BYTES, CHILD_ADDRESS_SPACE_BYTES))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS + 1))


class CheckQueueFullError(Exception):
    """As many completions as allowed already wait for a check in this process."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the file checks are busy; retry after {retry_after} s")
        self.retry_after = retry_after  # seconds, estimated from the queue and the checks' pace


class CheckPool:
    """One per web process; started on first use, so processes that never check a file (the
    worker, the CLI) start no server process."""

    def __init__(self, processes: int, max_waiting: int = 32) -> None:
        self.processes = processes
        self.max_waiting = max_waiting
        self._slots = asyncio.Semaphore(processes)
        self._waiting = 0
        self._seconds_per_slot = _FIRST_GUESS_SECONDS
        self._executor: ProcessPoolExecutor | None = None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold this (`async with pool.slot():`) from reading the file until its checked files
        are written: it bounds how many files a web process holds and checks at once.
        CheckQueueFullError at once when `max_waiting` completions already wait for one."""
        if self._slots.locked() and self._waiting >= self.max_waiting:
            raise CheckQueueFullError(self._retry_after())
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        started = time.monotonic()
        try:
            yield
        finally:
            self._slots.release()
            self._seconds_per_slot += _AVERAGE_WEIGHT * (time.monotonic() - started - self._seconds_per_slot)

    @property
    def waiting(self) -> int:
        """Completions waiting for a slot now."""
        return self._waiting

    def _retry_after(self) -> int:
        """Whole seconds until the queue ahead has likely gone through the checks, 1-60."""
        ahead = (self._waiting + self.processes) * self._seconds_per_slot / self.processes
        return max(1, min(_LONGEST_RETRY_AFTER_SECONDS, math.ceil(ahead)))

    async def check(self, data: bytes, declared_type: str) -> ProcessedPhoto | None:
        """check_file in a checking process."""
        return await self.run(check_file, data, declared_type)

    async def run(self, function: Callable[[*Arguments], Result], *arguments: *Arguments) -> Result:
        """`function` (importable by name) in a new checking process, within its limits."""
        loop = asyncio.get_running_loop()
        for _ in range(_ATTEMPTS):
            executor = self._running()
            try:
                return await loop.run_in_executor(executor, function, *arguments)
            except BrokenProcessPool:
                # The check's process died (the CPU limit, or the kernel short of memory).
                self._replace(executor)
        raise FileRefusedError("upload_too_complex")

    def close(self) -> None:
        if self._executor is not None:
            # The idle checking process is ended too: with max_tasks_per_child, Python 3.11's
            # executor may never send it the sentinel, and the web worker then waits for it at
            # exit forever (seen: a granian worker left running after `serve` stopped). At
            # shutdown no check is worth keeping, so ending it loses nothing. `_processes` is
            # the executor's own table of its processes: the public API offers none.
            processes = list(getattr(self._executor, "_processes", {}).values())
            self._executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            self._executor = None

    def _running(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver, not fork: the web process runs threads, and a fork of it would copy
            # whatever lock one of them held. The server imports what the checks need once.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_preloaded_modules())
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=context,
                max_tasks_per_child=1,
                initializer=_limit_this_process,
            )
        return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._executor is broken:  # not already replaced by another check that saw it break
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = None
