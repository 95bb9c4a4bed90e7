"""Regions change only with a new Kemendagri list (regions/loading.py), so each process reads them
once: the configured region and everything under it, leaving out codes a later list retired."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import msgspec

from serang_app.db.pool import Database, rows_as
from serang_app.http.caching import CachedJson
from serang_app.regions.schemas import Region, RegionList

_REGION_TREE = """
SELECT code, name, level, parent_code FROM regions
WHERE (code = $1 OR code LIKE $1 || '.%') AND retired_in IS NULL
ORDER BY name, code
"""


class RegionDirectory:
    def __init__(self, region_code: str) -> None:
        self.region_code = region_code
        self._children: dict[str | None, CachedJson] | None = None
        self._codes: frozenset[str] = frozenset()
        self._lock = asyncio.Lock()

    def covers(self, code: str) -> bool:
        """Whether the code is the configured region's or under it (known or not)."""
        return code == self.region_code or code.startswith(self.region_code + ".")

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
                    regions = rows_as(Region, await connection.fetch(_REGION_TREE, self.region_code))
                grouped: dict[str | None, list[Region]] = defaultdict(list)
                for region in regions:
                    grouped[region.parent_code].append(region)
                self._codes = frozenset(region.code for region in regions)
                self._children = {parent: _encode(items) for parent, items in grouped.items()}
        return self._children


def _encode(items: list[Region]) -> CachedJson:
    # Region lists change only with a migration: clients may keep them a day.
    return CachedJson(msgspec.json.encode(RegionList(items=items)), max_age=86400)
