"""The bare ceilings' database pool: sized and released like the service's (db/pool.py: ten
connections, no reset query on release), so a ceiling differs from the service only in what the
service adds around its queries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
from litestar import Litestar


async def _no_reset(connection: asyncpg.Connection) -> None:
    """Like the service's pool: nothing to reset on release."""


def pool_lifespan(dsn: str) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that keeps the pool in `app.state.pool`."""

    @asynccontextmanager
    async def pool(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10, reset=_no_reset)
        try:
            yield
        finally:
            await app.state.pool.close()

    return pool
