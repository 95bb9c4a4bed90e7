"""Tests' databases dropped on a thread of their own once their test is over.

PostgreSQL 15 makes every DROP DATABASE wait for a checkpoint, a write to disk of every page
changed anywhere on the server since the last one: 0.3 s to 3 s on the shared 2-core machine,
which a test's teardown used to spend waiting. Here the test hands the name over and the next
test starts at once; the thread drops what has collected, several at a time, so that one
checkpoint serves them all. The session waits for the last drops at its end (`finish`).
"""

from __future__ import annotations

import asyncio
import queue
import threading

from tests.support.database import TestServer

# Drops sent together: they share the checkpoint PostgreSQL waits for, each on a connection.
AT_ONCE = 4


class LaterDrops:
    def __init__(self, server: TestServer) -> None:
        self._server = server
        self._names: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._failures: list[str] = []
        self._thread = threading.Thread(target=self._drop_as_they_come, name="later-drops", daemon=True)
        self._thread.start()

    def drop(self, name: str) -> None:
        """Drop the database soon, after the test that used it (nothing may use it any more)."""
        self._names.put(name)

    def finish(self) -> None:
        """Wait for every drop asked for; raise if one failed, as a drop in a teardown would."""
        self._names.put(None)
        self._thread.join()
        if self._failures:
            raise RuntimeError("test databases not dropped: " + "; ".join(self._failures))

    def _drop_as_they_come(self) -> None:
        finished = False
        while not finished:
            batch = [self._names.get()]
            while len(batch) < AT_ONCE:
                try:
                    batch.append(self._names.get_nowait())
                except queue.Empty:
                    break
            finished = None in batch
            names = [name for name in batch if name is not None]
            if names:
                asyncio.run(self._drop(names))

    async def _drop(self, names: list[str]) -> None:
        results = await asyncio.gather(*(self._server.drop_database(name) for name in names), return_exceptions=True)
        self._failures.extend(
            f"{name}: {result!r}" for name, result in zip(names, results, strict=True) if isinstance(result, Exception)
        )
