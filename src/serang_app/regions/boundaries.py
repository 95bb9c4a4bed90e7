"""Where a pin lies: inside the region or not, and in which village and district.

Point-in-polygon in the process with shapely, over the shipped GeoJSON (data/boundaries/) or an
operator's own (SERANG_REGION_BOUNDARIES_DIR), rather than in PostgreSQL: PostGIS is not assumed
on the operator's server, a regency is a few hundred polygons (under 2 MB in memory), and a
lookup in an STR-tree takes microseconds without a round trip. docs/regions.md gives the method
and its accuracy.

Geometries are kept in metres on a local plane around the region (an equirectangular projection:
within one regency its distances are off by well under 1%), so distances read as metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import msgspec
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from serang_app.regions.reference_data import data_folder, regencies

# A pin in no village (and in no neighbour's outline) is given the nearest village within this
# distance: the gaps between the simplified village polygons are at most a few dozen metres
# across (the largest 0.4 ha), a phone's fix is off by 5-50 m, and a pin dropped on a beach, a
# jetty or a fish pond just off the simplified coastline is within a couple of hundred metres of
# it. Further out is the sea.
NEAREST_VILLAGE_METRES = 300.0

FORMAT = (
    "a GeoJSON FeatureCollection (RFC 7946, WGS84 [longitude, latitude]) of MultiPolygon features "
    "with properties code, name and level"
)

_METRES_PER_DEGREE = 111_320.0


class BoundaryError(Exception):
    """The region's boundary is missing or unreadable; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class PinPlace:
    """Where a pin inside the region lies. `village_code` and `district_code` are None where the
    region ships no village layer; `how` says which rule placed it (docs/regions.md)."""

    village_code: str | None
    district_code: str | None
    how: Literal["village", "nearest_village", "outline"]


class _Properties(msgspec.Struct):
    code: str
    name: str
    level: Literal["province", "regency", "district", "village"]


class _Geometry(msgspec.Struct):
    type: Literal["MultiPolygon", "Polygon"]
    coordinates: msgspec.Raw


class _Feature(msgspec.Struct):
    type: Literal["Feature"]
    properties: _Properties
    geometry: _Geometry


class _FeatureCollection(msgspec.Struct):
    type: Literal["FeatureCollection"]
    features: list[_Feature]


class RegionArea:
    """The region's outline, its villages (when a layer exists) and its neighbours' outlines."""

    def __init__(
        self,
        region_code: str,
        name: str,
        outline: BaseGeometry,
        villages: dict[str, BaseGeometry],
        neighbours: list[BaseGeometry],
        scale: NDArray[np.float64],
    ) -> None:
        self.region_code = region_code
        self.name = name
        self._outline = outline
        shapely.prepare(outline)
        self._village_codes = sorted(villages)
        self._village_shapes = [villages[code] for code in self._village_codes]
        self._villages = STRtree(self._village_shapes)
        self._neighbours = STRtree(neighbours)
        # Metres per degree of longitude and of latitude on the region's plane.
        self._scale = scale

    @property
    def has_villages(self) -> bool:
        return bool(self._village_codes)

    def place(self, latitude: float, longitude: float) -> PinPlace | None:
        """Where the pin lies in the region, or None when it is outside (docs/regions.md, the rules)."""
        point = self._point(latitude, longitude)
        if not self.has_villages:
            return (
                PinPlace(village_code=None, district_code=None, how="outline")
                if self._outline.contains(point)
                else None
            )
        inside = self._villages.query(point, predicate="intersects")
        if len(inside) > 0:
            # Neighbouring villages overlap by slivers: the one the pin is deepest inside wins.
            best = max(inside, key=lambda index: self._village_shapes[index].boundary.distance(point))
            return _village_place(self._village_codes[best], "village")
        if len(self._neighbours.query(point, predicate="intersects")) > 0:
            # In no village of ours and in a neighbour's outline: the villages are the finer layer
            # (the outlines overlap their neighbours'), so it is not ours, however close.
            return None
        nearby = self._nearest(point, max_distance=NEAREST_VILLAGE_METRES)
        if nearby is not None or not self._outline.contains(point):
            return nearby
        # Inside the outline yet far from every village: the outline's coast differs from the
        # villages' (up to 0.9 km in the shipped data); the nearest village places it.
        return self._nearest(point, max_distance=None)

    def is_near(self, latitude: float, longitude: float, code: str, metres: float) -> bool:
        """Whether a village that is `code` or lies in it (a district's code) is within `metres` of
        the pin; True where the region has no village layer to say otherwise."""
        if not self.has_villages:
            return True
        point = self._point(latitude, longitude)
        prefix = code + "."
        near = self._villages.query(point, predicate="dwithin", distance=metres)
        return any(
            self._village_codes[index] == code or self._village_codes[index].startswith(prefix) for index in near
        )

    def _point(self, latitude: float, longitude: float) -> shapely.Point:
        return shapely.Point(longitude * self._scale[0], latitude * self._scale[1])

    def _nearest(self, point: shapely.Point, max_distance: float | None) -> PinPlace | None:
        found = self._villages.query_nearest(point, max_distance=max_distance, all_matches=False)
        if len(found) == 0:
            return None
        return _village_place(self._village_codes[int(found[0])], "nearest_village")


def _village_place(village_code: str, how: Literal["village", "nearest_village"]) -> PinPlace:
    return PinPlace(village_code=village_code, district_code=village_code.rsplit(".", 1)[0], how=how)


def region_area(region_code: str, boundaries_dir: str | None) -> RegionArea:
    """The region's area, read once per process; BoundaryError when there is no boundary for it."""
    return _cached_area(region_code, boundaries_dir)


@lru_cache(maxsize=8)
def _cached_area(region_code: str, boundaries_dir: str | None) -> RegionArea:
    features = _features(boundaries_dir)
    own = [feature for feature in features if feature.properties.code == region_code]
    if not own:
        name = regencies()[region_code].name if region_code in regencies() else region_code
        where = f"SERANG_REGION_BOUNDARIES_DIR ({boundaries_dir})" if boundaries_dir else "SERANG_REGION_BOUNDARIES_DIR"
        raise BoundaryError(
            f"no boundary for region {region_code} ({name}): put {FORMAT}, holding a feature with code "
            f"{region_code} and level regency (and its villages, level village, to place pins in "
            f"districts), in a .geojson file in {where}"
        )
    latitude = _middle_latitude(_geometry(own[0]))
    scale = np.array([_METRES_PER_DEGREE * math.cos(math.radians(latitude)), _METRES_PER_DEGREE])

    def projected(feature: _Feature) -> BaseGeometry:
        return shapely.transform(_geometry(feature), lambda coordinates: coordinates * scale)

    prefix = region_code + "."
    villages: dict[str, BaseGeometry] = {}
    for feature in features:
        code = feature.properties.code
        if feature.properties.level == "village" and code.startswith(prefix) and code not in villages:
            villages[code] = projected(feature)
    neighbours = [
        projected(feature)
        for feature in features
        if feature.properties.level == "regency" and feature.properties.code != region_code
    ]
    return RegionArea(region_code, own[0].properties.name, projected(own[0]), villages, neighbours, scale)


def _middle_latitude(geometry: BaseGeometry) -> float:
    _, min_y, _, max_y = geometry.bounds
    return (min_y + max_y) / 2


def _geometry(feature: _Feature) -> BaseGeometry:
    coordinates = msgspec.json.decode(feature.geometry.coordinates)
    return shape({"type": feature.geometry.type, "coordinates": coordinates})


def _features(boundaries_dir: str | None) -> list[_Feature]:
    """Every feature of every boundary file: the operator's folder first, then the shipped files."""
    folders: list[Any] = [Path(boundaries_dir)] if boundaries_dir else []
    folders.append(data_folder() / "boundaries")
    features: list[_Feature] = []
    for folder in folders:
        for path in sorted(
            (entry for entry in folder.iterdir() if entry.name.endswith(".geojson")), key=lambda entry: entry.name
        ):
            try:
                features.extend(msgspec.json.decode(path.read_bytes(), type=_FeatureCollection).features)
            except (msgspec.ValidationError, msgspec.DecodeError) as error:
                raise BoundaryError(f"boundary file {path}: {error}; expected {FORMAT}") from None
    return features
