"""Load for POST /v1/auth/refresh: each connection follows its own chain of refresh tokens.

wrk repeats one request, but a refresh token works once: the second use of the same token is a
replay and revokes the session. So this generator sends, per connection, the token the previous
answer returned, and counts any answer but 200 as an error.
"""

from __future__ import annotations

import asyncio
import time

import msgspec

from bench.load import LoadResult, result_from
from bench.posting import post_json


class _Pair(msgspec.Struct):
    refresh_token: str


async def _chain(port: int, token: str, deadline: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            body = msgspec.json.encode({"refresh_token": token})
            sent = time.perf_counter()
            status, answer = await post_json(reader, writer, port, "/v1/auth/refresh", body)
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                errors.append(status)
                return  # the chain is broken; a new token would be needed
            token = msgspec.json.decode(answer, type=_Pair).refresh_token
    finally:
        writer.close()


def run_refresh_load(port: int, tokens: list[str], seconds: int) -> LoadResult:
    async def drive() -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_chain(port, token, deadline, latencies, errors) for token in tokens))
        return latencies, errors, time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(drive())
    return result_from(latencies, elapsed, len(errors))
