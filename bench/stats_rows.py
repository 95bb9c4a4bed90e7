"""The statistics rows: a year's report over a million cases, and the cached public figures."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

import msgspec

from bench import BenchError
from bench.load import LoadResult
from bench.measuring import RowContext, alternate, fetch, say, start_bare_serving
from bench.probe import get
from bench.report import (
    PUBLIC_STATS_CEILING_ENDPOINT,
    PUBLIC_STATS_ENDPOINT,
    PUBLIC_STATS_TARGET_RATIO,
    STATS_TARGET_MS,
    Row,
    Verdict,
)
from bench.stats import YEAR, seed_statistics
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys

PUBLIC_PATH = "/v1/stats/public"
# Reports are asked for one at a time by a person: each is timed alone, one after another.
REPORTS_PER_GROUPING = 10


def measure_statistics(run: RowContext) -> tuple[list[Row], Verdict, str]:
    """`GET /v1/admin/stats` for the whole of 2024 by each grouping, timed request by request;
    then `GET /v1/stats/public` alternating with a bare Litestar app serving its exact bytes.
    Returns the rows, the public endpoint's verdict and the line judging the reports' time."""
    say(f"seeding {run.options.stats_cases:,} cases of {YEAR} for the statistics rows ...")
    setup = asyncio.run(seed_statistics(run.database_url, run.options.stats_cases))
    say(
        f"seeded in {setup.seconds:.0f} s ({setup.ratings:,} rated), of which {setup.fold_seconds:.0f} s "
        "folding every row's pending changes into the summaries"
    )
    issuer = AccessTokens(parse_jwt_keys(run.environment["SERANG_JWT_KEYS"]), 3600)
    token = issuer.issue(AccessSubject(kind="staff", id=uuid.UUID(setup.admin_id)))
    headers = {"Authorization": f"Bearer {token}"}
    rows: list[Row] = []
    slowest = 0.0
    for group_by in ("opd", "service", "district", "module"):
        path = f"/v1/admin/stats?from={YEAR}-01&to={YEAR}-12&group_by={group_by}"
        body = fetch(run.service, path, headers)
        received = msgspec.json.decode(body)["total"]["received"]
        if received != setup.cases:
            raise BenchError(f"the report for {YEAR} counts {received:,} cases, not the {setup.cases:,} seeded")
        say(
            f"measuring GET /v1/admin/stats for {YEAR} by {group_by} ({REPORTS_PER_GROUPING} reports, one at a time) ..."
        )
        run.meter.start()
        result = _time_one_by_one(run.service.port, path, headers)
        rows.append(
            Row(
                endpoint=f"GET /v1/admin/stats ({YEAR}, by {group_by})",
                body_bytes=len(body),
                result=result,
                others_cpu=run.meter.stop(),
            )
        )
        slowest = max(slowest, result.p99_ms)
    judged = (
        f"GET /v1/admin/stats for a year over {setup.cases:,} cases: slowest report {slowest:.0f} ms "
        f"(target under {STATS_TARGET_MS:.0f} ms): {'PASS' if slowest < STATS_TARGET_MS else 'FAIL'}"
    )
    bare = start_bare_serving(run, "bare-public-stats", PUBLIC_PATH)
    public_rows, verdict = alternate(
        run.generator,
        run.options,
        run.meter,
        (PUBLIC_STATS_CEILING_ENDPOINT, bare, PUBLIC_PATH, None),
        (PUBLIC_STATS_ENDPOINT, run.service, PUBLIC_PATH, None),
        PUBLIC_STATS_TARGET_RATIO,
    )
    return rows + public_rows, verdict, judged


def _time_one_by_one(port: int, path: str, headers: dict[str, str]) -> LoadResult:
    took: list[float] = []
    errors = 0
    started = time.monotonic()
    for _ in range(REPORTS_PER_GROUPING):
        before = time.perf_counter()
        status, _body = get(port, path, timeout=30, headers=headers)
        took.append((time.perf_counter() - before) * 1000)
        errors += status != 200
    seconds = time.monotonic() - started
    return LoadResult(
        requests=len(took),
        seconds=seconds,
        requests_per_second=len(took) / seconds,
        p50_ms=statistics.median(took),
        p99_ms=max(took),  # of ten: the slowest
        errors=errors,
    )
