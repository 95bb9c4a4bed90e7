"""Where a complaint is: its pin inside the region's boundary, its district and village.

The pin is checked against the region's real boundary (RegionArea, docs/regions.md): outside it
is a 422 naming latitude and longitude. A district and village left out are filled in from the
pin, where the region has a village layer. A district or village the resident sends is kept when
the pin lies within AGREEMENT_METRES of it: the boundaries are simplified (district outlines up to
1.2 km off, neighbouring villages overlapping), so a pin near a border may fall on the wrong side
of it, and the resident, who knows the place, decides. Further away the two contradict each
other, and the complaint would be routed by the wrong one: a 422 naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import asyncpg

from serang_app.api import LocalizedFieldError, PinPlace, RegionArea

# Indonesia's extent, the bounds of the schema's latitude and longitude (Pulau Rote to Pulau
# Weh, Sabang to Merauke, with a margin); the region's boundary is the real check.
SOUTH, NORTH = -11.5, 6.5
WEST, EAST = 94.5, 141.5

AGREEMENT_METRES = 1000.0


class PlacedDraft(Protocol):
    """What placing reads of a complaint (schemas.ComplaintDraft, which imports this module)."""

    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def village_code(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Placed:
    district_code: str
    village_code: str | None


async def place_complaint(
    connection: asyncpg.Connection, area: RegionArea, draft: PlacedDraft
) -> tuple[Placed | None, list[LocalizedFieldError]]:
    """The complaint's district and village, or the problems with its place."""
    pin = area.place(draft.latitude, draft.longitude)
    if pin is None:
        return None, _outside(area)
    district = draft.district_code
    village = draft.village_code
    if district is None and village is not None:
        district = village.rsplit(".", 1)[0]
    if district is None:
        if pin.district_code is None:
            return None, [_district_needed()]
        return Placed(pin.district_code, pin.village_code), []
    problems = await _unknown_codes(connection, area.region_code, district, village)
    if problems:
        return None, problems
    problems = _disagreement(area, draft, pin, district, village)
    if problems:
        return None, problems
    if village is None and pin.district_code == district:
        village = pin.village_code
    return Placed(district, village), []


def _outside(area: RegionArea) -> list[LocalizedFieldError]:
    return [
        LocalizedFieldError(field, f"Titik lokasi di luar wilayah {area.name}", f"The pin is outside {area.name}")
        for field in ("latitude", "longitude")
    ]


def _district_needed() -> LocalizedFieldError:
    return LocalizedFieldError(
        "district_code",
        "Pilih kecamatan: wilayah ini tidak punya batas desa untuk menentukannya dari titik lokasi",
        "Choose the district: this region has no village boundaries to find it from the pin",
        code="required",
    )


async def _unknown_codes(
    connection: asyncpg.Connection, region_code: str, district: str, village: str | None
) -> list[LocalizedFieldError]:
    in_region = region_code + "."
    if not district.startswith(in_region) or not await connection.fetchval(
        "SELECT 1 FROM core.regions WHERE code = $1 AND level = 'district'", district
    ):
        return [LocalizedFieldError("district_code", "Kecamatan tidak dikenal", "Unknown district")]
    if village is not None and not await connection.fetchval(
        "SELECT 1 FROM core.regions WHERE code = $1 AND level = 'village' AND parent_code = $2",
        village,
        district,
    ):
        return [
            LocalizedFieldError(
                "village_code", "Desa tidak ada di kecamatan ini", "The village is not in this district"
            )
        ]
    return []


def _disagreement(
    area: RegionArea, draft: PlacedDraft, pin: PinPlace, district: str, village: str | None
) -> list[LocalizedFieldError]:
    field, code = ("village_code", village) if village is not None else ("district_code", district)
    if area.is_near(draft.latitude, draft.longitude, code, AGREEMENT_METRES):
        return []
    found = pin.village_code if field == "village_code" else pin.district_code
    return [
        LocalizedFieldError(
            field,
            f"Titik lokasi lebih dari 1 km dari wilayah {code} (titik itu di {found})",
            f"The pin is more than 1 km from {code} (it lies in {found})",
        )
    ]
