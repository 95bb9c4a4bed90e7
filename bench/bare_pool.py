"""The bare ceilings' database pool: sized and released like the service's (db/pool.py: ten
connections, no reset query on release), so a ceiling differs from the service only in what the
service adds around its queries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import msgspec
from litestar import Litestar


async def _no_reset(connection: asyncpg.Connection) -> None:
    """Like the service's pool: nothing to reset on release."""


async def _json_codecs(connection: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name,
            schema="pg_catalog",
            encoder=lambda value: msgspec.json.encode(value).decode(),
            decoder=msgspec.json.decode,
            format="text",
        )


def pool_lifespan(dsn: str, *, json_codecs: bool = False) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that keeps the pool in `app.state.pool`. `json_codecs`: decode json and jsonb as
    the service's pool does (for a ceiling that runs the module's own code on the rows)."""

    @asynccontextmanager
    async def pool(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            dsn, min_size=1, max_size=10, reset=_no_reset, init=_json_codecs if json_codecs else None
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    return pool
