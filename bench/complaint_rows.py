"""The complaints rows: nearby search over a million complaints, and filing."""

from __future__ import annotations

import asyncio
import uuid

import msgspec

from bench import BenchError
from bench.bare_complaints_app import DATABASE_VARIABLE as COMPLAINTS_DATABASE_VARIABLE
from bench.bare_complaints_app import RESIDENT_VARIABLE as COMPLAINTS_RESIDENT_VARIABLE
from bench.complaint_load import run_complaint_load
from bench.complaints import NEARBY_POINT, reporter_ids, seed_complaints
from bench.load import choose_generator
from bench.measuring import RowContext, alternate, fetch, say, start_bare
from bench.report import (
    FILING_CEILING_ENDPOINT,
    FILING_ENDPOINT,
    NEARBY_CEILING_ENDPOINT,
    NEARBY_ENDPOINT,
    NEARBY_TARGET_RATIO,
    Row,
    Verdict,
)
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys


def measure_complaints(run: RowContext) -> tuple[list[Row], Verdict]:
    """Nearby search over a million complaints and filing with idempotency keys, each against a
    bare Litestar + asyncpg app doing the same database work, at the issue's 32 connections."""
    say(f"seeding {run.options.complaints:,} complaints over the regency ...")
    took = asyncio.run(seed_complaints(run.database_url, run.options.complaints))
    say(f"seeded in {took:.0f} s")
    reporters = asyncio.run(reporter_ids(run.database_url, run.options.case_connections))
    bare = start_bare(
        run,
        "bare-complaints",
        "bench.bare_complaints_app:create",
        {COMPLAINTS_DATABASE_VARIABLE: run.database_url, COMPLAINTS_RESIDENT_VARIABLE: reporters[0]},
        "/v1/complaints/nearby?lat=-6.1&lon=106.1",
    )
    latitude, longitude = NEARBY_POINT
    path = f"/v1/complaints/nearby?lat={latitude:.5f}&lon={longitude:.5f}"
    found = len(msgspec.json.decode(fetch(run.service, path))["items"])
    if found == 0 or found != len(msgspec.json.decode(fetch(bare, path))["items"]):
        raise BenchError(f"nearby search should find the same complaints in both apps (service: {found})")
    say(f"nearby: {found} open public complaints within 250 m of the measured point")
    at_32 = choose_generator(run.options, run.options.case_connections)
    rows, verdict = alternate(
        at_32,
        run.options,
        run.meter,
        (NEARBY_CEILING_ENDPOINT, bare, path, None),
        (NEARBY_ENDPOINT, run.service, path, None),
        NEARBY_TARGET_RATIO,
    )
    issuer = AccessTokens(parse_jwt_keys(run.environment["SERANG_JWT_KEYS"]), 3600)
    tokens: list[str | None] = [
        issuer.issue(AccessSubject(kind="resident", id=uuid.UUID(reporter))) for reporter in reporters
    ]
    anonymous: list[str | None] = [None] * len(tokens)
    for endpoint, server, auth in ((FILING_CEILING_ENDPOINT, bare, anonymous), (FILING_ENDPOINT, run.service, tokens)):
        say(f"measuring {endpoint} (Python generator, {len(auth)} connections) ...")
        run_complaint_load(server.port, auth, run.options.warmup_seconds)
        run.meter.start()
        result = run_complaint_load(server.port, auth, run.options.seconds)
        rows.append(Row(endpoint=endpoint, body_bytes=0, result=result, others_cpu=run.meter.stop()))
    return rows, verdict
