"""The knobs of a mixed-load run, from BENCH_TRAFFIC_* variables (`make bench-load` sets them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bench import BenchError
from bench.options import whole_number
from bench.traffic import model

# Each run's defaults: (seconds measured, surge's start after the ramp-up, surge's length, warm-up).
RUNS = {
    "steady": (600, 0, 0, 0),
    # The surge on top of the steady load: five minutes of steady load, the fifteen-minute surge,
    # five minutes after it.
    "surge": (1500, 300, model.SURGE_SECONDS, 0),
    # The soak's memory is judged after a warm-up at the steady peak: the processes' caches (the
    # statements each pooled connection prepares, the verified tokens, the encoded fragments) fill
    # to their bounds in its first minutes, which is growth that stops (docs/performance.md).
    "soak": (1800, 0, 0, 600),
}


@dataclass(frozen=True, slots=True)
class TrafficOptions:
    run: str
    rate: float  # requests/s the model's users make
    seconds: int  # measured, after the ramp-up
    ramp_seconds: int  # users start over this time; figures are reset at its end
    surge_after: int  # seconds after the ramp-up at which the surge starts (surge run)
    surge_seconds: int
    warmup_seconds: int  # at the steady load after the ramp-up, before the memory's start is taken
    workers: int
    complaints: int  # seeded complaints over the regency (nearby searches find some)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def read_traffic_options(environ: Mapping[str, str]) -> TrafficOptions:
    run = environ.get("BENCH_TRAFFIC_RUN", "steady") or "steady"
    if run not in RUNS:
        raise BenchError(f"BENCH_TRAFFIC_RUN: expected one of {', '.join(RUNS)}, got {run!r}")
    seconds, surge_after, surge_seconds, warmup_seconds = RUNS[run]
    seconds = whole_number(environ, "BENCH_TRAFFIC_SECONDS", seconds)
    # A shortened surge run keeps the surge's share of it: a third of the way in, a third long.
    if run == "surge" and environ.get("BENCH_TRAFFIC_SECONDS"):
        surge_after, surge_seconds = seconds // 3, seconds // 3
    return TrafficOptions(
        run=run,
        rate=float(whole_number(environ, "BENCH_TRAFFIC_RATE", model.PLANNED_REQUESTS_PER_SECOND)),
        seconds=seconds,
        # A think time: users start evenly over it, so their visits are spread evenly over each
        # think time after it.
        ramp_seconds=whole_number(environ, "BENCH_TRAFFIC_RAMP_SECONDS", round(model.RESIDENT_VISIT_SECONDS)),
        surge_after=surge_after,
        surge_seconds=surge_seconds,
        warmup_seconds=whole_number(environ, "BENCH_TRAFFIC_WARMUP_SECONDS", warmup_seconds, minimum=0),
        workers=whole_number(environ, "BENCH_WORKERS", 2),
        complaints=whole_number(environ, "BENCH_TRAFFIC_COMPLAINTS", 100_000),
    )
