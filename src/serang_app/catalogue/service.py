"""Reading the catalogue (cached per process) and inserting the services modules declare."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
        # Counts the invalidations: a module's answers read before one are no longer served.
        self.generation = 0

    @property
    def max_age(self) -> float:
        return self._max_age

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
        self.generation += 1

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


@dataclass(frozen=True, slots=True)
class _Kept:
    json: CachedJson
    generation: int
    loaded_at: float


class OfferedAnswers:
    """A module's per-process cache of encoded answers about what it offers through the catalogue
    (a published service's definition), keyed as the module likes, at most ``max_entries`` kept.

    An answer is served while the catalogue has not changed since it was read: every change of an
    entry anywhere (`offer_service`, an admin's edit, `announce_catalogue_change`) drops them all in
    every web process when it commits (catalogue/listening.py); should that listener be down, an
    answer is read again after SERANG_CATALOGUE_CACHE_SECONDS, as the catalogue itself is.
    Only what every caller may see belongs here: nothing personal, no draft.
    """

    def __init__(self, catalogue: CatalogueCache, max_entries: int) -> None:
        self._catalogue = catalogue
        self._max_entries = max_entries
        self._kept: OrderedDict[Any, _Kept] = OrderedDict()

    @property
    def generation(self) -> int:
        """Taken before reading an answer, and given to `keep`: an answer read while the
        catalogue changed is then never served."""
        return self._catalogue.generation

    def get(self, key: Any) -> CachedJson | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        catalogue = self._catalogue
        if kept.generation != catalogue.generation or time.monotonic() - kept.loaded_at >= catalogue.max_age:
            del self._kept[key]
            return None
        return kept.json

    def keep(self, key: Any, json: CachedJson, generation: int) -> None:
        self._kept[key] = _Kept(json, generation, time.monotonic())
        self._kept.move_to_end(key)
        while len(self._kept) > self._max_entries:
            self._kept.popitem(last=False)

    def changed(self) -> None:
        """After a change committed in this process: every cached answer of every module dropped
        now (the other processes learn of it from the NOTIFY)."""
        self._catalogue.invalidate()


def offered_answers(state: Any, name: str, max_entries: int) -> OfferedAnswers:
    """The app's `OfferedAnswers` named `name` (one per module and kind of answer), made on first use."""
    key = f"offered_answers:{name}"
    answers: OfferedAnswers | None = state.get(key)
    if answers is None:
        answers = OfferedAnswers(state.catalogue_cache, max_entries)
        state[key] = answers
    return answers


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
