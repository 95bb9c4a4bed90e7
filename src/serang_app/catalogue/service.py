"""Reading the catalogue (cached per process) and inserting the services modules declare."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from serang_app.bilingual import Text
from serang_app.catalogue.schemas import Agency, Service, ServiceList
from serang_app.db.pool import Database
from serang_app.http.caching import CachedJson
from serang_app.module_system.spec import ModuleSpec

_ENABLED_SERVICES = """
SELECT s.code, s.module, s.title, s.description, s.icon, s.sla_days, s.requirements, s.is_open,
       o.code AS opd_code, o.short_name AS opd_short_name, o.name AS opd_name
FROM catalogue_services s
JOIN opds o ON o.code = s.opd_code
WHERE s.module = ANY($1::text[])
ORDER BY s.sort_order, s.code
"""

_INSERT_DECLARED = """
INSERT INTO catalogue_services
    (code, module, opd_code, title, description, icon, sla_days, requirements, is_open, sort_order)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (code) DO NOTHING
"""

# How long phones may keep the catalogue before asking again (with If-None-Match).
CLIENT_MAX_AGE_SECONDS = 60


@dataclass(frozen=True, slots=True)
class EncodedCatalogue:
    json: CachedJson
    loaded_at: float


class CatalogueCache:
    """The encoded catalogue, re-read at most every ``max_age`` seconds.

    The home screen asks for it on every app start; reading the database each time would cost
    most of the request. Edits reach every replica within ``max_age`` seconds.
    """

    def __init__(self, modules: Sequence[str], max_age: float) -> None:
        self._modules = list(modules)
        self._max_age = max_age
        self._current: EncodedCatalogue | None = None
        self._lock = asyncio.Lock()

    async def get(self, database: Database) -> EncodedCatalogue:
        current = self._current
        if current is not None and time.monotonic() - current.loaded_at < self._max_age:
            return current
        async with self._lock:  # one reader refreshes; the others wait for its result
            if self._current is not current and self._current is not None:
                return self._current
            self._current = await self._read(database)
            return self._current

    def invalidate(self) -> None:
        self._current = None

    async def _read(self, database: Database) -> EncodedCatalogue:
        async with database.acquire() as connection:
            rows = await connection.fetch(_ENABLED_SERVICES, self._modules)
        services = [
            Service(
                code=row["code"],
                module=row["module"],
                opd=Agency(code=row["opd_code"], short_name=row["opd_short_name"], name=row["opd_name"]),
                title=msgspec.convert(row["title"], Text),
                description=msgspec.convert(row["description"], Text),
                icon=row["icon"],
                sla_days=row["sla_days"],
                requirements=msgspec.convert(row["requirements"], list[Text]),
                is_open=row["is_open"],
            )
            for row in rows
        ]
        body = msgspec.json.encode(ServiceList(items=services))
        return EncodedCatalogue(json=CachedJson(body, max_age=CLIENT_MAX_AGE_SECONDS), loaded_at=time.monotonic())


async def insert_declared_services(database: Database, modules: Sequence[ModuleSpec]) -> None:
    """Add each module's declared services that the catalogue does not hold yet."""
    rows = [
        (
            service.code,
            spec.slug,
            service.opd_code,
            msgspec.to_builtins(service.title),
            msgspec.to_builtins(service.description),
            service.icon,
            service.sla_days,
            msgspec.to_builtins(list(service.requirements)),
            service.is_open,
            service.sort_order,
        )
        for spec in modules
        for service in spec.services
    ]
    if rows:
        async with database.acquire() as connection:
            await connection.executemany(_INSERT_DECLARED, rows)
