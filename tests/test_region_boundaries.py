"""Where a pin lies (regions/boundaries.py), checked against the shipped boundary data itself.

The expected answers are computed here from the GeoJSON with shapely, independently of the app's
own index: every village's representative point, every gap between villages, points off the
coast, across the border and inside the regency's old bounding rectangle.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from serang_app.regions.boundaries import NEAREST_VILLAGE_METRES, BoundaryError, region_area
from serang_app.regions.reference_data import data_folder

BOUNDARIES = data_folder() / "boundaries"
METRES_PER_DEGREE = 111_320.0


def _layer(name: str) -> dict[str, BaseGeometry]:
    collection = json.loads((BOUNDARIES / name).read_text(encoding="utf-8"))
    return {feature["properties"]["code"]: shape(feature["geometry"]) for feature in collection["features"]}


VILLAGES = _layer("serang_villages.geojson")
REGENCIES = _layer("banten_regencies.geojson")
VILLAGE_UNION = shapely.union_all(list(VILLAGES.values()))


def _metres(point: shapely.Point, geometry: BaseGeometry) -> float:
    """Distance on a plane scaled at the point's latitude (as the app measures)."""
    scale = math.cos(math.radians(point.y))
    return float(
        shapely.transform(geometry, lambda xy: xy * [scale, 1]).distance(shapely.Point(point.x * scale, point.y))
        * METRES_PER_DEGREE
    )


def _nearest_village(point: shapely.Point) -> str:
    candidates = [code for code, village in VILLAGES.items() if village.distance(point) < 0.01]
    return min(candidates, key=lambda code: _metres(point, VILLAGES[code]))


def test_every_village_representative_point_resolves_to_that_village_and_its_district() -> None:
    area = region_area("36.04", None)
    assert len(VILLAGES) == 326
    wrong = []
    for code, village in sorted(VILLAGES.items()):
        point = village.representative_point()
        placed = area.place(point.y, point.x)
        expected = (code, code.rsplit(".", 1)[0], "village")
        if placed is None or (placed.village_code, placed.district_code, placed.how) != expected:
            wrong.append((code, placed))
    assert wrong == []


def test_a_pin_in_a_gap_between_villages_resolves_to_the_nearest_village() -> None:
    """The 1,438 holes of the villages' union (data README: small gaps between simplified polygons)."""
    area = region_area("36.04", None)
    assert isinstance(VILLAGE_UNION, shapely.MultiPolygon)
    gaps = [shapely.Polygon(ring) for part in VILLAGE_UNION.geoms for ring in part.interiors]
    assert len(gaps) > 1000
    wrong = []
    for gap in gaps:
        point = gap.representative_point()
        assert not VILLAGE_UNION.contains(point)
        placed = area.place(point.y, point.x)
        if placed is None or (placed.village_code, placed.how) != (_nearest_village(point), "nearest_village"):
            wrong.append(((point.y, point.x), placed))
    assert wrong == []


def test_a_pin_just_off_the_coast_resolves_to_the_nearest_village() -> None:
    latitude, longitude = -5.988587, 106.106296  # Bojonegara's shore, in Banten Bay
    point = shapely.Point(longitude, latitude)
    assert not VILLAGE_UNION.contains(point)
    assert not any(regency.contains(point) for regency in REGENCIES.values())
    nearest = _nearest_village(point)
    assert _metres(point, VILLAGES[nearest]) < NEAREST_VILLAGE_METRES
    placed = region_area("36.04", None).place(latitude, longitude)
    assert placed is not None
    assert (placed.village_code, placed.district_code, placed.how) == (nearest, "36.04.07", "nearest_village")


@pytest.mark.parametrize(
    ("latitude", "longitude", "what"),
    [
        (-6.12, 106.15, "the centre of Kota Serang"),
        (-6.0, 106.02, "Kota Cilegon"),
        (-5.95, 106.20, "Banten Bay, 1.7 km off the coast"),
        (-6.30, 105.85, "Kabupaten Pandeglang"),
    ],
)
def test_points_inside_the_old_rectangle_but_outside_the_regency_are_refused(
    latitude: float, longitude: float, what: str
) -> None:
    # The rectangle area.py used to accept: lat -6.40 to -5.78, lng 105.80 to 106.45.
    assert -6.40 <= latitude <= -5.78
    assert 105.80 <= longitude <= 106.45
    point = shapely.Point(longitude, latitude)
    assert not REGENCIES["36.04"].contains(point), what
    assert region_area("36.04", None).place(latitude, longitude) is None, what


def test_a_pin_across_the_border_is_refused_however_close_to_a_village() -> None:
    latitude, longitude = -6.017224, 106.216394  # in Kota Serang, some 60 m from a village of 36.04
    point = shapely.Point(longitude, latitude)
    assert REGENCIES["36.73"].contains(point)
    assert not REGENCIES["36.04"].contains(point)
    assert _metres(point, VILLAGE_UNION) < NEAREST_VILLAGE_METRES
    assert region_area("36.04", None).place(latitude, longitude) is None


def test_a_region_without_a_village_layer_is_decided_by_its_outline() -> None:
    area = region_area("36.73", None)  # Kota Serang: an outline, no villages shipped
    assert area.name == "Kota Serang"
    assert not area.has_villages
    placed = area.place(-6.12, 106.15)
    assert placed is not None
    assert (placed.village_code, placed.district_code, placed.how) == (None, None, "outline")
    inside_the_regency = VILLAGES["36.04.05.2012"].representative_point()
    assert area.place(inside_the_regency.y, inside_the_regency.x) is None


def test_a_region_without_a_boundary_is_one_line_naming_the_format() -> None:
    with pytest.raises(BoundaryError) as raised:
        region_area("32.01", None)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("no boundary for region 32.01 (Kabupaten Bogor): put a GeoJSON FeatureCollection")
    assert "MultiPolygon features with properties code, name and level" in message
    assert "SERANG_REGION_BOUNDARIES_DIR" in message


def test_an_operator_folder_supplies_a_boundary(tmp_path: Path) -> None:
    square = [[[[106.80, -6.60], [106.90, -6.60], [106.90, -6.50], [106.80, -6.50], [106.80, -6.60]]]]
    feature = {
        "type": "Feature",
        "properties": {"code": "32.01", "name": "Kabupaten Bogor", "level": "regency"},
        "geometry": {"type": "MultiPolygon", "coordinates": square},
    }
    (tmp_path / "bogor.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    area = region_area("32.01", str(tmp_path))
    assert area.place(-6.55, 106.85) is not None
    assert area.place(-6.45, 106.85) is None


def test_a_malformed_boundary_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    with pytest.raises(BoundaryError, match=r"boundary file .*broken\.geojson: .*expected a GeoJSON FeatureCollection"):
        region_area("32.02", str(tmp_path))


def test_kabupaten_pandeglang_is_decided_by_its_outline() -> None:
    area = region_area("36.01", None)
    assert area.name == "Kabupaten Pandeglang"
    assert area.place(-6.30, 105.85) is not None  # inside the old Serang rectangle, in Pandeglang
    assert area.place(-6.12, 106.15) is None  # Kota Serang
    # No village of Kabupaten Serang is in Pandeglang, though the two outlines overlap by 222 ha.
    points = [village.representative_point() for village in VILLAGES.values()]
    assert not any(REGENCIES["36.01"].contains(point) for point in points)
    assert [point for point in points if area.place(point.y, point.x) is not None] == []


def test_where_the_outlines_overlap_outside_every_village_the_pin_is_the_neighbours() -> None:
    latitude, longitude = -6.214491, 106.163299  # in both 36.04's and Kota Serang's outlines
    point = shapely.Point(longitude, latitude)
    assert REGENCIES["36.04"].contains(point)
    assert REGENCIES["36.73"].contains(point)
    assert not VILLAGE_UNION.contains(point)
    assert region_area("36.04", None).place(latitude, longitude) is None


def test_inside_the_outline_far_from_every_village_the_nearest_village_places_it() -> None:
    """The outline's coast and the villages' differ (by up to 0.9 km)."""
    latitude, longitude = -5.961488, 106.274013  # on 36.04's outline by the coast, in no neighbour's
    point = shapely.Point(longitude, latitude)
    assert REGENCIES["36.04"].contains(point)
    assert not any(regency.contains(point) for code, regency in REGENCIES.items() if code != "36.04")
    assert _metres(point, VILLAGE_UNION) > NEAREST_VILLAGE_METRES
    placed = region_area("36.04", None).place(latitude, longitude)
    assert placed is not None
    assert placed.how == "nearest_village"
    assert placed.village_code is not None
    # Two villages share the nearest vertex here: either is the nearest.
    nearest = _metres(point, VILLAGES[_nearest_village(point)])
    assert _metres(point, VILLAGES[placed.village_code]) < nearest + 1
