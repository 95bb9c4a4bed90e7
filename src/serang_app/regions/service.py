"""Regions change only with a migration (a new Kemendagri decree), so each process reads them once."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import msgspec

from serang_app.db.pool import Database, rows_as
from serang_app.http.caching import CachedJson
from serang_app.regions.schemas import Region, RegionList

_ALL_REGIONS = "SELECT code, name, level, parent_code FROM regions ORDER BY name, code"


class RegionDirectory:
    def __init__(self) -> None:
        self._children: dict[str | None, CachedJson] | None = None
        self._codes: frozenset[str] = frozenset()
        self._lock = asyncio.Lock()

    async def children(self, database: Database, parent: str | None) -> CachedJson | None:
        """The encoded list of a region's children, or None when the parent does not exist."""
        children = await self._load(database)
        if parent is not None and parent not in self._codes:
            return None
        return children.get(parent) or _encode([])

    async def _load(self, database: Database) -> dict[str | None, CachedJson]:
        if self._children is not None:
            return self._children
        async with self._lock:
            if self._children is None:
                async with database.acquire() as connection:
                    regions = rows_as(Region, await connection.fetch(_ALL_REGIONS))
                grouped: dict[str | None, list[Region]] = defaultdict(list)
                for region in regions:
                    grouped[region.parent_code].append(region)
                self._codes = frozenset(region.code for region in regions)
                self._children = {parent: _encode(items) for parent, items in grouped.items()}
        return self._children


def _encode(items: list[Region]) -> CachedJson:
    # Region lists change only with a migration: clients may keep them a day.
    return CachedJson(msgspec.json.encode(RegionList(items=items)), max_age=86400)
