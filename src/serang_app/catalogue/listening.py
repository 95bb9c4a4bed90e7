"""Each web process listens for catalogue changes (catalogue/editing.py: NOTIFY on commit) and
drops its cached catalogue, so an admin's edit shows in every process's GET /v1/services at once;
the modules' cached answers about what they offer go with it (`OfferedAnswers`: a published
service's definition).

A dedicated connection holds the LISTEN (a pooled one would lose it). If it breaks, the cache
still expires by itself after SERANG_CATALOGUE_CACHE_SECONDS: an edit then takes that long.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog

from serang_app.catalogue.editing import CHANNEL
from serang_app.catalogue.service import CatalogueCache

logger = structlog.get_logger("serang_app.catalogue")


@asynccontextmanager
async def catalogue_listener(dsn: str, cache: CatalogueCache, *, connect_timeout: float) -> AsyncIterator[None]:
    try:
        connection = await asyncpg.connect(dsn, timeout=connect_timeout)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        logger.warning("catalogue_listener_unavailable")
        yield
        return

    def changed(*_: Any) -> None:
        cache.invalidate()

    try:
        await connection.add_listener(CHANNEL, changed)
        yield
    finally:
        await connection.close()
