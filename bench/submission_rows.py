"""The services row's writes (issue 23): residents submitting applications to a defined service,
against a bare Litestar doing the same writes, at the issue's 32 connections."""

from __future__ import annotations

import asyncio
import uuid

from bench import BenchError
from bench.bare_submissions_app import DATABASE_VARIABLE as SUBMISSIONS_DATABASE_VARIABLE
from bench.bare_submissions_app import READY_PATH, RESIDENT_HEADER
from bench.measuring import RowContext, say, start_bare
from bench.report import SUBMIT_CEILING_ENDPOINT, SUBMIT_ENDPOINT, Row
from bench.submission_load import Submitter, run_submission_load
from bench.submissions import Applicant, seed_drafts, writes_per_case
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys

# Drafts per connection and second of load (warm-up included): above what either app submits on
# one connection, so no connection runs out (run_submission_load fails the run if one does).
DRAFTS_PER_CONNECTION_SECOND = 150


def measure_submissions(run: RowContext) -> list[Row]:
    connections = run.options.case_connections
    per_resident = DRAFTS_PER_CONNECTION_SECOND * (run.options.seconds + run.options.warmup_seconds)
    say(f"seeding {2 * connections * per_resident:,} draft applications ({connections} applicants per app) ...")
    applicants, took = asyncio.run(seed_drafts(run.database_url, 2 * connections, per_resident))
    say(f"seeded in {took:.0f} s")
    # The service and its ceiling each submit their own applicants' drafts.
    for_bare, for_service = applicants[:connections], applicants[connections:]
    bare = start_bare(
        run,
        "bare-submissions",
        "bench.bare_submissions_app:create",
        {SUBMISSIONS_DATABASE_VARIABLE: run.database_url},
        READY_PATH,
    )
    issuer = AccessTokens(parse_jwt_keys(run.environment["SERANG_JWT_KEYS"]), 3600)
    rows: list[Row] = []
    for endpoint, server, submitters in (
        (SUBMIT_CEILING_ENDPOINT, bare, [_bare_submitter(a) for a in for_bare]),
        (SUBMIT_ENDPOINT, run.service, [_service_submitter(issuer, a) for a in for_service]),
    ):
        say(f"measuring {endpoint} (Python generator, {connections} connections) ...")
        run_submission_load(server.port, submitters, run.options.warmup_seconds)
        run.meter.start()
        result = run_submission_load(server.port, submitters, run.options.seconds)
        rows.append(Row(endpoint=endpoint, body_bytes=0, result=result, others_cpu=run.meter.stop()))
    written = [asyncio.run(writes_per_case(run.database_url, side)) for side in (for_bare, for_service)]
    if written[0] != written[1]:
        raise BenchError(f"the ceiling should write what the service writes per submission: {written}")
    say(f"submission: rows written per filed case, both apps: {written[0]}")
    return rows


def _bare_submitter(applicant: Applicant) -> Submitter:
    return Submitter({RESIDENT_HEADER: applicant.resident_id}, iter(applicant.drafts))


def _service_submitter(issuer: AccessTokens, applicant: Applicant) -> Submitter:
    token = issuer.issue(AccessSubject(kind="resident", id=uuid.UUID(applicant.resident_id)))
    return Submitter({"Authorization": f"Bearer {token}"}, iter(applicant.drafts))
