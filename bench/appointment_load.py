"""Load for POST /v1/appointments under contention: every connection books among the same slots,
each request as the next resident of its own list (a resident books once), with a new
Idempotency-Key. 201 is a booking; 409 `slot full` would mean the phase ran out of seats and
counts as an error, like any other answer."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable

import msgspec

from bench.load import LoadResult, result_from
from bench.posting import post_json

# The headers that make a request come from a resident: a bearer token for the service, a plain
# header for the bare ceiling.
Identify = Callable[[str], dict[str, str]]


async def _connection(
    port: int,
    place: str,
    slot_starts: list[str],
    residents: list[str],
    identify: Identify,
    deadline: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    rng = random.Random()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for resident in residents:
            if time.monotonic() >= deadline:
                return
            body = msgspec.json.encode(
                {"service_code": "ktp_recording", "place_code": place, "starts_at": rng.choice(slot_starts)}
            )
            headers = {"Idempotency-Key": uuid.uuid4().hex, **identify(resident)}
            sent = time.perf_counter()
            status, _ = await post_json(reader, writer, port, "/v1/appointments", body, headers)
            latencies.append(time.perf_counter() - sent)
            if status != 201:
                errors.append(status)
    finally:
        writer.close()


def run_booking_load(
    port: int,
    place: str,
    slot_starts: list[str],
    residents: list[str],
    identify: Identify,
    connections: int,
    seconds: int,
) -> LoadResult:
    """`connections` connections share the residents (each its own slice) until `seconds` pass
    or the residents run out."""

    async def drive() -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _connection(
                    port, place, slot_starts, residents[index::connections], identify, deadline, latencies, errors
                )
                for index in range(connections)
            )
        )
        return latencies, errors, time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(drive())
    return result_from(latencies, elapsed, len(errors))
