"""The app behind a real granian server in the test's own event loop, for tests of requests that
overlap: the test client hands requests to the app one at a time, so it could never show that."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from granian.constants import Interfaces
from granian.server.embed import Server
from litestar import Litestar

from tests.support.processes import free_port


@asynccontextmanager
async def served(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind granian on a free local port, in this event loop, and a client for it."""
    port = free_port()
    server = Server(app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False)
    serving = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30) as client:
            for _ in range(300):
                assert not serving.done(), "granian stopped before it served"
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the app did not become ready")
            yield client
    finally:
        server.stop()  # type: ignore[no-untyped-call]  # granian leaves this one unannotated
        await serving
