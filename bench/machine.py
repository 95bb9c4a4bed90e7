"""What else the machine is doing: the servers and the load generator share its CPUs with it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

_PROC = Path("/proc")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_share(seconds: float = 1.0) -> float | None:
    """The share of all CPU time spent outside idle during `seconds`, or None off Linux.

    Sampled just before the run: a load average would still show the previous run for a minute.
    """
    first = _machine_ticks()
    time.sleep(seconds)
    second = _machine_ticks()
    if first is None or second is None or second[1] <= first[1]:
        return None
    return (second[0] - first[0]) / (second[1] - first[1])


class OthersMeter:
    """The share of the machine's CPU time that processes other than the benchmark's used.

    Other work during a measurement takes CPU from the servers, and the figures of that row come
    out low; the share is printed beside each row so a disturbed row can be told from a slow one.
    The benchmark's own processes are this one, its waited-for children (the load generator),
    every process in the sessions the servers were started in (their worker processes), and the
    PostgreSQL backends serving the bench database (a local server names the database in each
    backend's process title), which /readyz keeps busy.
    """

    def __init__(self, server_sessions: Iterable[int], database_name: str) -> None:
        self._sessions = frozenset(server_sessions)
        self._database_title = f" {database_name} ".encode()
        self._start: tuple[int, int, float] | None = None

    def add_session(self, session: int) -> None:
        """Count a server started later (the cases ceiling) as the benchmark's own."""
        self._sessions = self._sessions | {session}

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> float | None:
        """The others' share since start(), or None when it cannot be known (not Linux)."""
        end = self._sample()
        if self._start is None or end is None:
            return None
        busy, total, ours = (after - before for after, before in zip(end, self._start, strict=True))
        if total <= 0:
            return None
        return max(0.0, busy - ours * _TICKS_PER_SECOND) / total

    def _sample(self) -> tuple[int, int, float] | None:
        machine = _machine_ticks()
        if machine is None:
            return None
        own = os.times()
        ours = own.user + own.system + own.children_user + own.children_system
        ours += _ticks_of_ours(self._sessions, self._database_title) / _TICKS_PER_SECOND
        return machine[0], machine[1], ours


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs since boot."""
    try:
        line = (_PROC / "stat").read_text(encoding="ascii").splitlines()[0]
    except (OSError, IndexError):
        return None
    fields = line.split()
    if fields[0] != "cpu" or len(fields) < 6:
        return None
    # user, nice, system, idle, iowait, irq, softirq, steal; the guest fields that may follow
    # are already counted in user and nice.
    ticks = [int(value) for value in fields[1:9]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def _ticks_of_ours(sessions: frozenset[int], database_title: bytes) -> int:
    total = 0
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            # The command name may hold spaces and parentheses: the fields start after the last ")".
            fields = stat.rpartition(")")[2].split()
            if len(fields) <= 12:
                continue
            if int(fields[3]) in sessions or database_title in (entry / "cmdline").read_bytes():
                total += int(fields[11]) + int(fields[12])  # utime and stime
        except OSError:
            continue  # the process ended while we looked, or is not ours to read
    return total
