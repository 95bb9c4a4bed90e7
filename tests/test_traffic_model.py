"""The load generator's plan (bench/traffic/model.py: the journeys, think times and population)
adds up to the mix docs/performance.md states, and the locustfile runs every journey."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.traffic import model

LOCUSTFILE = Path(__file__).parents[1] / "bench" / "traffic" / "locustfile.py"


def test_peak_demand_is_about_a_hundred_requests_a_second() -> None:
    assert round(model.peak_requests_per_second()) == 99
    assert (
        pytest.approx(model.PLAN_FACTOR * model.peak_requests_per_second(), rel=0.01)
        == model.PLANNED_REQUESTS_PER_SECOND
    )


def test_the_journeys_add_up_to_the_stated_mix() -> None:
    planned = model.planned_mix()
    assert set(planned) == set(model.MIX)
    off = {
        kind: (round(share, 2), model.MIX[kind])
        for kind, share in planned.items()
        if abs(share - model.MIX[kind]) > 0.1
    }
    assert off == {}
    assert sum(model.MIX.values()) == pytest.approx(100, abs=0.5)


def test_the_population_makes_the_planned_rate() -> None:
    people = model.population(model.PLANNED_REQUESTS_PER_SECOND)
    rate = people.residents * (
        model.requests_per_visit("resident") / model.RESIDENT_VISIT_SECONDS
        + 1 / (model.ACCESS_TOKEN_SECONDS * model.REFRESH_AT_SHARE)
    )
    rate += people.officers * model.requests_per_visit("officer") / model.OFFICER_VISIT_SECONDS
    rate += people.admins * model.requests_per_visit("admin") / model.ADMIN_VISIT_SECONDS
    assert rate == pytest.approx(model.PLANNED_REQUESTS_PER_SECOND, rel=0.01)


def test_the_locustfile_runs_every_journey_and_names_every_request_kind() -> None:
    tree = ast.parse(LOCUSTFILE.read_text(encoding="utf-8"))
    functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    journeys = {journey.name for journey in model.JOURNEYS}
    assert journeys <= functions, sorted(journeys - functions)
    # Locust reports each request under the name it is sent with: the model's kinds.
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert set(model.MIX) <= strings, sorted(set(model.MIX) - strings)
