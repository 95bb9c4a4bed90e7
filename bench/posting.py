"""One JSON POST on a kept-alive asyncio connection, for the generators whose every request
differs (wrk repeats one): refresh-token chains, complaints each with its own Idempotency-Key."""

from __future__ import annotations

import asyncio

REQUEST_TIMEOUT_SECONDS = 10.0


async def post_json(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """Status and body of the answer."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    writer.write(request)
    async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length"))
        return status, await reader.readexactly(length)
