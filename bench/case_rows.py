"""The cases row: GET /v1/me/cases among a million cases, against its bare ceiling."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec

from bench import BenchError
from bench.bare_cases_app import DATABASE_VARIABLE as CASES_DATABASE_VARIABLE
from bench.bare_cases_app import RESIDENT_VARIABLE as CASES_RESIDENT_VARIABLE
from bench.cases import seed_cases
from bench.load import choose_generator
from bench.measuring import RowContext, alternate, fetch, say, start_bare
from bench.report import CASES_CEILING_ENDPOINT, CASES_ENDPOINT, CASES_TARGET_RATIO, Row, Verdict
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys


def measure_cases(run: RowContext) -> tuple[list[Row], Verdict]:
    """GET /v1/me/cases of a resident with 200 cases in a database of a million, against a bare
    Litestar + asyncpg app running the same query, alternating, at the issue's 32 connections."""
    service_code, opd_code, module = asyncio.run(_a_catalogue_service(run.database_url))
    say(f"seeding {run.options.cases:,} cases over {run.options.case_residents:,} residents ...")
    resident_id, took = asyncio.run(
        seed_cases(
            run.database_url,
            module=module,
            service_code=service_code,
            opd_code=opd_code,
            cases=run.options.cases,
            residents=run.options.case_residents,
        )
    )
    say(f"seeded in {took:.0f} s")
    token = AccessTokens(parse_jwt_keys(run.environment["SERANG_JWT_KEYS"]), 3600).issue(
        AccessSubject(kind="resident", id=resident_id)
    )
    bearer = {"Authorization": f"Bearer {token}"}
    bare = start_bare(
        run,
        "bare-cases",
        "bench.bare_cases_app:create",
        {CASES_DATABASE_VARIABLE: run.database_url, CASES_RESIDENT_VARIABLE: str(resident_id)},
        "/v1/me/cases",
    )
    page = msgspec.json.decode(fetch(run.service, "/v1/me/cases", bearer))
    if len(page["items"]) != 20 or len(msgspec.json.decode(fetch(bare, "/v1/me/cases"))["items"]) != 20:
        raise BenchError("a first page of /v1/me/cases should hold 20 cases")
    at_32 = choose_generator(run.options, run.options.case_connections)
    return alternate(
        at_32,
        run.options,
        run.meter,
        (CASES_CEILING_ENDPOINT, bare, "/v1/me/cases", None),
        (CASES_ENDPOINT, run.service, "/v1/me/cases", bearer),
        CASES_TARGET_RATIO,
    )


async def _a_catalogue_service(database_url: str) -> tuple[str, str, str]:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        row = await connection.fetchrow("SELECT code, opd_code, module FROM catalogue_services ORDER BY code LIMIT 1")
    finally:
        await connection.close()
    if row is None:
        raise BenchError("no catalogue service to open bench cases in")
    return row["code"], row["opd_code"], row["module"]
