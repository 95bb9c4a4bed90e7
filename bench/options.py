"""The knobs of a run, read from BENCH_* environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

from bench import BenchError

Generator = Literal["auto", "wrk", "python"]
# Rows that can run alone (BENCH_ONLY=image_memory,permits): the service and the database are set
# up as usual, and the common rows (ceiling, catalogue, sign-in, photos, push) are left out.
ROW_GROUPS = ("image_memory", "cases", "complaints", "permits", "appointments", "stats", "search", "services")


@dataclass(frozen=True, slots=True)
class Options:
    seconds: int  # measured time per endpoint
    warmup_seconds: int  # discarded load before each measurement (caches filled, pools grown)
    workers: int  # worker processes of both servers, so the ceiling has the same shape
    connections: int
    threads: int  # load-generator threads (wrk) or processes (the Python generator)
    generator: Generator
    rounds: int  # alternating measurements of the ceiling and GET /v1/services behind the verdict
    cases: int  # cases in the database for the GET /v1/me/cases row (0: no such row)
    case_residents: int
    case_connections: int  # the issue states its p99 target at 32 connections
    complaints: int  # complaints in the database for the complaints rows (0: no such rows)
    permits: int  # issued permits in the database for the verification row (0: no such row)
    appointment_residents: int  # residents per booking phase of the appointments rows (0: no such rows)
    stats_cases: int  # cases of one year for the statistics rows (0: no such rows)
    image_residents: int  # residents completing large pictures at once for the memory rows (0: no such rows)
    search_complaints: int  # complaints' search rows for the staff search rows (0: no such rows)
    services: int  # 1: the service definition and submission rows; 0: no such rows
    only: frozenset[str]  # row groups to run alone (empty: every row)

    def runs(self, group: str, count: int) -> bool:
        """Whether this run measures the group, whose size knob is `count`."""
        return count > 0 and (group in self.only or not self.only)


def read_options(environ: Mapping[str, str]) -> Options:
    seconds = whole_number(environ, "BENCH_SECONDS", 10)
    generator = environ.get("BENCH_LOAD", "auto") or "auto"
    if generator not in {"auto", "wrk", "python"}:
        raise BenchError(f"BENCH_LOAD: expected auto, wrk or python, got {generator!r}")
    return Options(
        seconds=seconds,
        warmup_seconds=whole_number(environ, "BENCH_WARMUP_SECONDS", min(2, seconds)),
        workers=whole_number(environ, "BENCH_WORKERS", 2),
        connections=whole_number(environ, "BENCH_CONNECTIONS", 64),
        threads=whole_number(environ, "BENCH_THREADS", 2),
        generator=cast(Generator, generator),
        rounds=whole_number(environ, "BENCH_ROUNDS", 3),
        cases=whole_number(environ, "BENCH_CASES", 1_000_000, minimum=0),
        case_residents=whole_number(environ, "BENCH_CASE_RESIDENTS", 100_000, minimum=2),
        case_connections=whole_number(environ, "BENCH_CASE_CONNECTIONS", 32),
        complaints=whole_number(environ, "BENCH_COMPLAINTS", 1_000_000, minimum=0),
        permits=whole_number(environ, "BENCH_PERMITS", 100_000, minimum=0),
        appointment_residents=whole_number(environ, "BENCH_APPOINTMENT_RESIDENTS", 20_000, minimum=0),
        stats_cases=whole_number(environ, "BENCH_STATS_CASES", 1_000_000, minimum=0),
        image_residents=whole_number(environ, "BENCH_IMAGE_RESIDENTS", 10, minimum=0),
        search_complaints=whole_number(environ, "BENCH_SEARCH_COMPLAINTS", 1_000_000, minimum=0),
        services=whole_number(environ, "BENCH_SERVICES", 1, minimum=0),
        only=_groups(environ.get("BENCH_ONLY", "")),
    )


def _groups(raw: str) -> frozenset[str]:
    groups = frozenset(name.strip() for name in raw.split(",") if name.strip())
    unknown = sorted(groups - set(ROW_GROUPS))
    if unknown:
        raise BenchError(f"BENCH_ONLY: unknown row group(s) {', '.join(unknown)}; choose from {', '.join(ROW_GROUPS)}")
    return groups


def whole_number(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BenchError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise BenchError(f"{name}: expected at least {minimum}, got {value}")
    return value
