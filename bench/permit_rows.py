"""The permits row: the public verification of a permit by its code."""

from __future__ import annotations

import asyncio

import msgspec

from bench import BenchError
from bench.bare_permits_app import DATABASE_VARIABLE as PERMITS_DATABASE_VARIABLE
from bench.measuring import RowContext, alternate, fetch, say, start_bare
from bench.permits import seed_permits
from bench.report import VERIFY_CEILING_ENDPOINT, VERIFY_ENDPOINT, VERIFY_TARGET_RATIO, Row, Verdict


def measure_permits(run: RowContext) -> tuple[list[Row], Verdict]:
    """The public permit check by its code among many issued permits, against a bare Litestar +
    asyncpg app running the same query, alternating rounds at the run's connections."""
    say(f"seeding {run.options.permits:,} issued permits ...")
    code, took = asyncio.run(seed_permits(run.database_url, run.options.permits))
    say(f"seeded in {took:.0f} s")
    path = f"/v1/permits/verify/{code}"
    bare = start_bare(
        run, "bare-permits", "bench.bare_permits_app:create", {PERMITS_DATABASE_VARIABLE: run.database_url}, path
    )
    answers = [msgspec.json.decode(fetch(server, path)) for server in (run.service, bare)]
    if answers[0] != answers[1] or answers[0]["status"] != "valid":
        raise BenchError(f"both apps should find the same valid permit: {answers}")
    return alternate(
        run.generator,
        run.options,
        run.meter,
        (VERIFY_CEILING_ENDPOINT, bare, path, None),
        (VERIFY_ENDPOINT, run.service, path, None),
        VERIFY_TARGET_RATIO,
    )
