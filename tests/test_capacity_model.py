"""The capacity model's sums (bench/capacity.py, docs/performance.md "The capacity model")."""

from __future__ import annotations

from bench.capacity import COSTS, cores
from bench.traffic.model import MIX, PLANNED_REQUESTS_PER_SECOND


def test_every_request_kind_of_the_mix_has_a_cost() -> None:
    assert set(COSTS) == set(MIX)


def test_the_surge_adds_the_photo_checks_of_its_filings() -> None:
    steady = cores(PLANNED_REQUESTS_PER_SECOND)
    surge = cores(PLANNED_REQUESTS_PER_SECOND, surge_filings_per_second=36)
    # 36 filings a second, 80 % with a photo, each checked for 120 ms of CPU.
    assert round(surge.checks - steady.checks, 2) == round(36 * 0.8 * 0.120, 2)
    assert surge.api > steady.api
    assert surge.database > steady.database
