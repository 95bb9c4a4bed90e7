"""The order the tests are collected in, so that pytest-xdist spreads the end-to-end tests.

`--dist worksteal` (the Makefile's) first hands each of the N processes one contiguous share of
the collected tests, in order: the first process the first quarter (with 4), and so on. A process
that runs out takes the second half of the longest queue left. Were the end-to-end tests (the
`e2e` marker: a tenth of the tests, more than half of the CPU) collected first, as they once were,
the first share would hold every one of them: that process would start servers, workers and CLI
runs one after another while the others ran the fast tests and then took its fast ones, and the
end-to-end tests only spread late in the run, one steal at a time. Here each share starts with
its part of the end-to-end tests (every Nth, in collection order), then takes its part of the
others: every process starts processes from the start, and the run ends on fast tests, which
the processes left take from one another in small parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def first_shares(count: int, processes: int) -> list[int]:
    """The sizes of the shares worksteal hands out at the start: each process in turn gets the
    tests left divided by the processes left (xdist/scheduler/worksteal.py, check_schedule)."""
    sizes = []
    left = count
    for handed in range(processes):
        size = left // (processes - handed)
        sizes.append(size)
        left -= size
    return sizes


def spread(items: Sequence[Item], processes: int, is_long: Callable[[Item], bool]) -> list[Item]:
    """`items` reordered so that each of the first shares starts with its part of the long ones.

    The long ones keep their order among themselves, as do the others; with one process, the long
    ones come first (the order a run without xdist has always had).
    """
    long = [item for item in items if is_long(item)]
    others = [item for item in items if not is_long(item)]
    if processes <= 1:
        return long + others
    ordered: list[Item] = []
    taken = 0
    for share, size in enumerate(first_shares(len(items), processes)):
        mine = long[share::processes]
        fill = max(size - len(mine), 0)
        ordered += mine + others[taken : taken + fill]
        taken += fill
    ordered += others[taken:]  # none, unless a share had more long tests than its size
    assert len(ordered) == len(items)
    return ordered
