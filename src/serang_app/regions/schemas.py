from __future__ import annotations

from typing import Literal

import msgspec


class Region(msgspec.Struct, kw_only=True):
    code: str
    name: str
    level: Literal["regency", "district", "village"]
    parent_code: str | None


class RegionList(msgspec.Struct, kw_only=True):
    """The children of one region, whole: a district has at most a few dozen villages."""

    items: list[Region]
