"""What a load generator reports, and which generator a run uses."""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from typing import Protocol

from bench import BenchError
from bench.options import Options


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    # Socket errors plus answers outside 2xx/3xx: anything above zero makes the row suspect.
    errors: int


class LoadGenerator(Protocol):
    name: str

    def run(self, url: str, seconds: int, headers: dict[str, str] | None = None) -> LoadResult: ...


def choose_generator(options: Options, connections: int | None = None) -> LoadGenerator:
    """wrk when it is installed (Debian: apt-get install wrk), else the slower Python generator.

    The benchmark never installs anything itself; it says which generator it used instead.
    """
    # Imported here so each generator's module is loaded only when it is the one used.
    from bench.python_load import PythonLoadGenerator
    from bench.wrk import WrkGenerator

    wrk = shutil.which("wrk")
    if options.generator == "wrk" and wrk is None:
        raise BenchError("BENCH_LOAD=wrk but wrk is not on PATH (Debian: apt-get install wrk)")
    connections = connections or options.connections
    if wrk is not None and options.generator != "python":
        return WrkGenerator(wrk, threads=options.threads, connections=connections)
    return PythonLoadGenerator(processes=options.threads, connections=connections)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when it is empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def result_from(latencies: list[float], seconds: float, errors: int) -> LoadResult:
    """The figures of a run of the Python generators, from each request's latency in seconds."""
    ordered = sorted(latencies)
    return LoadResult(
        requests=len(ordered),
        seconds=seconds,
        requests_per_second=len(ordered) / seconds if seconds > 0 else 0.0,
        p50_ms=percentile(ordered, 0.50) * 1000.0,
        p99_ms=percentile(ordered, 0.99) * 1000.0,
        errors=errors,
    )
