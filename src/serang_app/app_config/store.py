"""The configuration, read from the database and kept per process for a few seconds: every
request of the app passes the version gate, which must not cost a query."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import msgspec

from serang_app.app_config.schemas import AppConfig, PublishedAppConfig
from serang_app.db.pool import Database
from serang_app.http.caching import CachedJson
from serang_app.identity.deployment import DeploymentIdentity

# Edits reach every process within this time; phones may keep the answer a minute.
CACHE_SECONDS = 5.0
CLIENT_MAX_AGE_SECONDS = 60


class AppConfigCache:
    def __init__(self, identity: DeploymentIdentity) -> None:
        self._identity = identity
        self._current: tuple[AppConfig, CachedJson, float] | None = None
        self._lock = asyncio.Lock()

    async def get(self, database: Database) -> tuple[AppConfig, CachedJson]:
        current = self._current
        if current is not None and time.monotonic() - current[2] < CACHE_SECONDS:
            return current[0], current[1]
        async with self._lock:
            if self._current is not None and self._current is not current:
                return self._current[0], self._current[1]
            async with database.acquire() as connection:
                config = await read_config(connection)
            published = PublishedAppConfig(**msgspec.structs.asdict(config), deployment=self._identity)
            encoded = CachedJson(msgspec.json.encode(published), max_age=CLIENT_MAX_AGE_SECONDS)
            self._current = (config, encoded, time.monotonic())
            return config, encoded

    def invalidate(self) -> None:
        self._current = None


async def read_config(connection: asyncpg.Connection) -> AppConfig:
    return msgspec.convert(await connection.fetchval("SELECT config FROM app_config"), AppConfig)


async def save_config(connection: asyncpg.Connection, config: AppConfig) -> AppConfig:
    await connection.execute("UPDATE app_config SET config = $1, updated_at = now()", msgspec.to_builtins(config))
    return config
