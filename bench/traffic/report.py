"""The mixed load's figures: Locust's statistics per request kind, read from its CSV, and the
run's other measurements, as a Markdown table and a JSON document."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.traffic.sampling import PushDelays

PUSH_TARGET_WITHIN_10_S = 0.95
RSS_GROWTH_TARGET = 0.05


@dataclass(frozen=True, slots=True)
class KindFigures:
    kind: str
    requests: int
    failures: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def read_locust_stats(stats_csv: Path) -> tuple[list[KindFigures], KindFigures | None]:
    """Each request kind's figures and the aggregate (Locust's `--csv` file `<prefix>_stats.csv`)."""
    kinds: list[KindFigures] = []
    total: KindFigures | None = None
    with stats_csv.open(encoding="utf-8", newline="") as lines:
        for row in csv.DictReader(lines):
            figures = KindFigures(
                kind=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                per_second=float(row["Requests/s"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
            )
            if row["Name"] == "Aggregated":
                total = figures
            else:
                kinds.append(figures)
    return sorted(kinds, key=lambda figures: -figures.requests), total


def _number(text: str) -> float:
    return float(text) if text not in ("", "N/A") else 0.0


@dataclass(frozen=True, slots=True)
class RunFigures:
    run: str
    target_per_second: float
    seconds: int
    users: dict[str, int]
    kinds: list[KindFigures]
    total: KindFigures | None
    failures: list[dict[str, str]]
    push: PushDelays
    connections_max: int
    connections_active_max: int
    connections_mean: float
    pool: dict[str, float]
    memory_start: dict[str, float]
    memory_end: dict[str, float]
    others_cpu: float | None
    busy_before: float | None
    # RSS every few minutes of the measured part (minutes since the ramp-up, snapshot): whether a
    # growth levels off (caches filling up to their bounds) or keeps its pace (memory kept).
    memory_curve: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    # At the steady load after the ramp-up, before `memory_start` (the soak's: its caches fill).
    warmup_seconds: int = 0


def render(figures: RunFigures) -> str:
    """The Markdown a run prints and docs/performance.md takes."""
    total = figures.total
    lines = [
        f"Run `{figures.run}`: target {figures.target_per_second:g} requests/s for {figures.seconds} s "
        f"(after the ramp-up{f' and a {figures.warmup_seconds} s warm-up' if figures.warmup_seconds else ''}); users {', '.join(f'{name} {count}' for name, count in figures.users.items())}; "
        f"others' CPU {_share(figures.others_cpu)} (busy before the run: {_share(figures.busy_before)})",
        "",
        "| request kind | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in figures.kinds:
        lines.append(
            f"| {kind.kind} | {kind.requests:,} | {kind.per_second:,.1f} | {kind.p50_ms:,.0f} | {kind.p95_ms:,.0f} "
            f"| {kind.p99_ms:,.0f} | {kind.failures} |"
        )
    if total is not None:
        lines.append(
            f"| **all** | {total.requests:,} | **{total.per_second:,.1f}** | {total.p50_ms:,.0f} | {total.p95_ms:,.0f} "
            f"| {total.p99_ms:,.0f} | **{total.failures}** |"
        )
    push = figures.push
    lines += [
        "",
        f"Push, commit to FCM: {push.sent:,} sent, p50 {push.p50_s:.2f} s, p95 {push.p95_s:.2f} s, "
        f"p99 {push.p99_s:.2f} s, {push.within_10_s:.1%} within 10 s (target {PUSH_TARGET_WITHIN_10_S:.0%}): "
        f"{'PASS' if push.sent and push.within_10_s >= PUSH_TARGET_WITHIN_10_S else 'FAIL'}",
        f"Database sessions: at most {figures.connections_max} ({figures.connections_active_max} active at once), "
        f"{figures.connections_mean:.1f} on average; pool acquisitions {figures.pool.get('acquires', 0):,.0f}, "
        f"over 5 ms {figures.pool.get('over_5_ms', 0):,.0f}, over 50 ms {figures.pool.get('over_50_ms', 0):,.0f}",
        "",
        f"| process | RSS after the {'warm-up' if figures.warmup_seconds else 'ramp-up'} MiB | RSS at the end MiB | growth |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, start in figures.memory_start.items():
        end = figures.memory_end.get(name)
        growth = "" if end is None or not start else f"{(end - start) / start:+.1%}"
        lines.append(f"| {name} | {start:,.1f} | {'gone' if end is None else f'{end:,.1f}'} | {growth} |")
    lines += _curve(figures)
    errors = total.failures if total else sum(kind.failures for kind in figures.kinds)
    lines += ["", f"Errors: {errors} (target 0): {'PASS' if errors == 0 else 'FAIL'}"]
    for failure in figures.failures[:10]:
        lines.append(f"- {failure.get('Occurrences')}x {failure.get('Name')}: {failure.get('Error', '')[:160]}")
    return "\n".join(lines)


def _curve(figures: RunFigures) -> list[str]:
    """The RSS of the processes there from the ramp-up to the end, at each sample, in MiB."""
    if len(figures.memory_curve) < 2:
        return []
    kept = [name for name in figures.memory_start if all(name in snapshot for _, snapshot in figures.memory_curve)]
    lines = [
        "",
        "| process | " + " | ".join(f"{minute:g} min" for minute, _ in figures.memory_curve) + " |",
        "| --- |" + " ---: |" * len(figures.memory_curve),
    ]
    for name in kept:
        lines.append(
            f"| {name} | " + " | ".join(f"{snapshot[name]:,.1f}" for _, snapshot in figures.memory_curve) + " |"
        )
    return lines


def _share(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"


def as_json(figures: RunFigures) -> dict[str, Any]:
    document = asdict(figures)
    document["errors"] = figures.total.failures if figures.total else None
    return document


def read_failures(failures_csv: Path) -> list[dict[str, str]]:
    if not failures_csv.exists():
        return []
    with failures_csv.open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))
