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

REQUEST_TIMEOUT_SECONDS = 10.0


class _Pair(msgspec.Struct):
    refresh_token: str


async def _chain(port: int, token: str, deadline: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            body = msgspec.json.encode({"refresh_token": token})
            request = (
                f"POST /v1/auth/refresh HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            sent = time.perf_counter()
            writer.write(request)
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split(" ", 2)[1])
                length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length"))
                answer = await reader.readexactly(length)
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
