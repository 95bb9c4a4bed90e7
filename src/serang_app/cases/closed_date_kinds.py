"""What an admin's closed date is: the region's own holiday (hari libur daerah), its own
collective leave (cuti bersama), or any other closure. Its own module so that the OpenAPI shaping
(http/openapi_schemas.py) can name the set without importing the routes."""

from __future__ import annotations

from typing import Literal, get_args

ClosedDateKind = Literal["regional_holiday", "collective_leave", "local_closure"]
CLOSED_DATE_KINDS: tuple[str, ...] = get_args(ClosedDateKind)
