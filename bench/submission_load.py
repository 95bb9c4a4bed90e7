"""Load for POST /v1/permits/applications/{id}/submit: each connection submits its applicant's
drafts one after another, each draft once (a second submission is a 409), and counts any answer
but 200 as an error. The bare ceiling gets the same requests, on drafts of its own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bench import BenchError
from bench.load import LoadResult, result_from
from bench.measuring import say
from bench.posting import post_json


@dataclass(frozen=True, slots=True)
class Submitter:
    headers: dict[str, str]  # a resident's Authorization (the service) or X-Bench-Resident (the ceiling)
    drafts: Iterator[str]  # shared by the warm-up and the measurement, so no draft is sent twice


async def _connection(
    port: int, submitter: Submitter, deadline: float, latencies: list[float], errors: list[int]
) -> bool:
    """Whether the connection ran until the deadline (False: it ran out of drafts)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            draft = next(submitter.drafts, None)
            if draft is None:
                return False
            sent = time.perf_counter()
            status, body = await post_json(
                reader, writer, port, f"/v1/permits/applications/{draft}/submit", b"", submitter.headers
            )
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                if not errors:  # the first failure's answer says why, for the log
                    say(f"submission answered {status}: {body[:300]!r}")
                errors.append(status)
    finally:
        writer.close()
    return True


def run_submission_load(port: int, submitters: list[Submitter], seconds: int) -> LoadResult:
    """One connection per submitter."""

    async def drive() -> tuple[list[float], list[int], float, list[bool]]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        lasted = await asyncio.gather(*(_connection(port, s, deadline, latencies, errors) for s in submitters))
        return latencies, errors, time.perf_counter() - started, lasted

    latencies, errors, elapsed, lasted = asyncio.run(drive())
    if not all(lasted):
        # A connection that stops early would make the rate look lower than it is.
        raise BenchError("the submission row ran out of drafts: seed more per connection (bench/submission_rows.py)")
    return result_from(latencies, elapsed, len(errors))
