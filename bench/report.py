"""The table printed at the end of a run, the verdict against the target, and the JSON copy."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench.load import LoadResult

SERVICES_ENDPOINT = "GET /v1/services"
CEILING_ENDPOINT = "bare Litestar, same bytes (ceiling)"
# The catalogue is the app's busiest read: it must keep this share of what Litestar alone manages.
TARGET_RATIO = 0.60
CASES_ENDPOINT = "GET /v1/me/cases (signed in, 1st page)"
CASES_CEILING_ENDPOINT = "bare Litestar + asyncpg, same query"
# A resident's list, with authentication and everything else the service adds, against the bare
# query; and its 99th percentile at the 32 connections.
CASES_TARGET_RATIO = 0.50
CASES_P99_TARGET_MS = 50.0
NEARBY_ENDPOINT = "GET /v1/complaints/nearby (250 m)"
NEARBY_CEILING_ENDPOINT = "bare Litestar + asyncpg, same nearby query"
NEARBY_P99_TARGET_MS = 50.0
# Public and uncached, two queries where the ceiling runs one: half the ceiling is the aim.
NEARBY_TARGET_RATIO = 0.50
VERIFY_ENDPOINT = "GET /v1/permits/verify/{code}"
VERIFY_CEILING_ENDPOINT = "bare Litestar + asyncpg, same verify query"
# Public and uncached like nearby, but one light query: the framework's share weighs more.
VERIFY_TARGET_RATIO = 0.50
DEFINITION_ENDPOINT = "GET /v1/permits/definitions/{code}"
DEFINITION_CEILING_ENDPOINT = "bare Litestar, same definition bytes (ceiling)"
# Public and read by the app before every form, but not cached in the process like the catalogue:
# two queries (the latest version, its agency) and an encoding. Half the ceiling is the aim.
DEFINITION_TARGET_RATIO = 0.50
SUBMIT_ENDPOINT = "POST /v1/permits/applications/{id}/submit (defined service)"
SUBMIT_CEILING_ENDPOINT = "bare Litestar + asyncpg, same submission writes"
SLOTS_ENDPOINT = "GET /v1/appointments/slots (14 days)"
SLOTS_CEILING_ENDPOINT = "bare Litestar + asyncpg, same slots code"
# Public and uncached, polled by the app: half the ceiling, like the other public reads.
SLOTS_TARGET_RATIO = 0.50
PUBLIC_STATS_ENDPOINT = "GET /v1/stats/public"
PUBLIC_STATS_CEILING_ENDPOINT = "bare Litestar, same public figures (ceiling)"
# Cached like the catalogue, so the catalogue's target.
PUBLIC_STATS_TARGET_RATIO = 0.60
# A year's report over a million cases, each asked for alone.
STATS_TARGET_MS = 1000.0
BOOKING_ENDPOINT = "POST /v1/appointments (same 24 slots)"
BOOKING_CEILING_ENDPOINT = "bare Litestar + asyncpg, same booking writes"
FILING_ENDPOINT = "POST /v1/complaints (new Idempotency-Key each)"
FILING_CEILING_ENDPOINT = "bare Litestar + asyncpg, same inserts"


@dataclass(frozen=True, slots=True)
class Row:
    endpoint: str
    body_bytes: int
    result: LoadResult
    others_cpu: float | None  # share of the machine's CPU that other processes used meanwhile


@dataclass(frozen=True, slots=True)
class Verdict:
    endpoint: str  # the row it judges
    ratio: float  # the median of the rounds' ratios
    round_ratios: tuple[float, ...]
    target: float
    passed: bool


def judge(
    ceiling_rounds: list[LoadResult],
    services_rounds: list[LoadResult],
    *,
    endpoint: str = SERVICES_ENDPOINT,
    target: float = TARGET_RATIO,
) -> Verdict:
    """An endpoint against its ceiling measured just before it, round by round.

    Each figure drifts by 10-20 % between back-to-back measurements on a small shared machine, so
    a ratio of one pair can land anywhere in a wide band; the median of alternating rounds is what
    one unlucky window cannot move.
    """
    ratios = tuple(
        services.requests_per_second / ceiling.requests_per_second if ceiling.requests_per_second > 0 else 0.0
        for ceiling, services in zip(ceiling_rounds, services_rounds, strict=True)
    )
    ratio = statistics.median(ratios)
    return Verdict(endpoint=endpoint, ratio=ratio, round_ratios=ratios, target=target, passed=ratio >= target)


def median_row(rounds: list[Row]) -> Row:
    """The round with the median requests/s (the lower one of an even count).

    A real round rather than averaged figures, so its p50 and p99 belong to its requests/s; it
    carries the highest others-CPU share of all the rounds, so a disturbed round still shows.
    """
    ordered = sorted(rounds, key=lambda row: row.result.requests_per_second)
    shares = [row.others_cpu for row in rounds]
    busiest = None if any(share is None for share in shares) else max(share for share in shares if share is not None)
    return replace(ordered[(len(ordered) - 1) // 2], others_cpu=busiest)


def render_table(rows: list[Row], verdicts: list[Verdict]) -> str:
    header = ("endpoint", "requests/s", "p50 ms", "p99 ms", "errors", "body B", "others CPU", "vs ceiling")
    lines = [header]
    by_endpoint = {verdict.endpoint: verdict for verdict in verdicts}
    for row in rows:
        comparison = ""
        verdict = by_endpoint.get(row.endpoint)
        if verdict is not None:
            comparison = f"{verdict.ratio:.0%} {'PASS' if verdict.passed else 'FAIL'} (>= {verdict.target:.0%})"
        lines.append(
            (
                row.endpoint,
                f"{row.result.requests_per_second:,.0f}",
                f"{row.result.p50_ms:.2f}",
                f"{row.result.p99_ms:.2f}",
                str(row.result.errors),
                str(row.body_bytes),
                "?" if row.others_cpu is None else f"{row.others_cpu:.0%}",
                comparison,
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    # Text columns to the left, figures to the right, as a reader scans them.
    left = {0, 7}

    def format_line(line: tuple[str, ...]) -> str:
        cells = [
            cell.ljust(widths[column]) if column in left else cell.rjust(widths[column])
            for column, cell in enumerate(line)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([format_line(lines[0]), rule, *(format_line(line) for line in lines[1:])])


def rows_as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {"endpoint": row.endpoint, "body_bytes": row.body_bytes, **asdict(row.result), "others_cpu": row.others_cpu}
        for row in rows
    ]


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
