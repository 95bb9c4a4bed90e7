"""Medians and percentiles from counts of whole working days.

The definition is PostgreSQL's percentile_cont (linear interpolation between the two closest
ranks), so anyone can check a figure with SQL over the cases: the median of 1, 2, 4, 5 is 3.
"""

from __future__ import annotations

from collections.abc import Mapping


def percentile(counts: Mapping[int, int], fraction: float) -> float | None:
    """The `fraction` percentile (0..1) of values given as {value: how many}; None when empty."""
    ordered = sorted((value, count) for value, count in counts.items() if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    position = fraction * (total - 1)  # 0-based rank, as percentile_cont
    below = int(position)
    lower, upper = _value_at(ordered, below), _value_at(ordered, min(below + 1, total - 1))
    return lower + (upper - lower) * (position - below)


def _value_at(ordered: list[tuple[int, int]], rank: int) -> int:
    seen = 0
    for value, count in ordered:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)
