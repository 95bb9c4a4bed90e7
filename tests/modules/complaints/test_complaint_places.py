"""A complaint's place over HTTP: the pin checked against the regency's real boundary, the district
and village filled in from the pin, and a district or village that contradicts the pin refused
(modules/complaints/placing.py, docs/regions.md)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import shapely
from litestar import Litestar
from litestar.testing import AsyncTestClient
from shapely.geometry import shape

from serang_app.regions.reference_data import data_folder
from tests.support.accounts import bearer, resident_tokens
from tests.support.complaints_app import complaints_app

HERE = (-6.05, 106.1)
# HERE lies in Desa Wanayasa of Kecamatan Kramatwatu; this pin lies in Desa Sukadalem of
# Kecamatan Waringinkurung, about a kilometre south of it, near the two districts' border.
WANAYASA = "36.04.05.2012"
ACROSS_THE_BORDER = (-6.06, 106.1)
SUKADALEM = "36.04.06.2006"


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(complaints_app(database_url, tmp_path)) as test_client:
        yield test_client


async def resident(client: Any) -> dict[str, str]:
    return bearer(await resident_tokens(client, f"+62816{uuid.uuid4().int % 10**8:08d}"))


def draft(point: tuple[float, float] = HERE, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "street_lights",
        "description": "Lampu jalan di depan masjid mati sejak seminggu.",
        "latitude": point[0],
        "longitude": point[1],
        "district_code": "36.04.05",
    }
    body.update(changes)
    return body


def _village(code: str) -> Any:
    collection = json.loads((data_folder() / "boundaries" / "serang_villages.geojson").read_text(encoding="utf-8"))
    return next(shape(f["geometry"]) for f in collection["features"] if f["properties"]["code"] == code)


async def _place_of(db: asyncpg.Connection, case_id: str) -> tuple[str, str | None]:
    row = await db.fetchrow(
        "SELECT c.district_code, r.village_code FROM cases c JOIN complaints.reports r ON r.case_id = c.id "
        "WHERE c.id = $1::uuid",
        case_id,
    )
    assert row is not None
    return row["district_code"], row["village_code"]


async def test_a_pin_alone_is_filed_in_its_village_and_district(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    body = {key: value for key, value in draft().items() if key != "district_code"}
    filed = await client.post("/v1/complaints", json=body, headers=citizen)
    assert filed.status_code == 201, filed.text
    assert await _place_of(db, filed.json()["case_id"]) == ("36.04.05", WANAYASA)


async def test_a_district_alone_gets_the_pins_village(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    filed = await client.post("/v1/complaints", json=draft(), headers=citizen)
    assert filed.status_code == 201, filed.text
    assert await _place_of(db, filed.json()["case_id"]) == ("36.04.05", WANAYASA)


async def test_a_village_alone_gives_its_district(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    citizen = await resident(client)
    body = {**{k: v for k, v in draft().items() if k != "district_code"}, "village_code": "36.04.05.2011"}
    filed = await client.post("/v1/complaints", json=body, headers=citizen)
    assert filed.status_code == 201, filed.text
    assert await _place_of(db, filed.json()["case_id"]) == ("36.04.05", "36.04.05.2011")


async def test_near_a_border_the_residents_district_is_kept(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    pin = shapely.Point(ACROSS_THE_BORDER[1], ACROSS_THE_BORDER[0])
    assert _village(SUKADALEM).contains(pin)
    metres = _village(WANAYASA).distance(pin) * 111_320 * math.cos(math.radians(pin.y))
    assert metres < 900  # within the kilometre a resident's choice is trusted
    citizen = await resident(client)
    filed = await client.post("/v1/complaints", json=draft(point=ACROSS_THE_BORDER), headers=citizen)
    assert filed.status_code == 201, filed.text
    # The resident's district stays; the pin's village is in another district, so none is set.
    assert await _place_of(db, filed.json()["case_id"]) == ("36.04.05", None)


async def test_a_district_or_village_far_from_the_pin_is_refused(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    cases = {
        "Ciruas, 13 km east": (draft(district_code="36.04.09"), "district_code"),
        "a village of Kramatwatu 2 km away": (draft(village_code="36.04.05.2001"), "village_code"),
    }
    for name, (body, field) in cases.items():
        answer = await client.post("/v1/complaints", json=body, headers={**citizen, "Accept-Language": "en"})
        assert answer.status_code == 422, name
        [error] = answer.json()["errors"]
        assert error["field"] == field, name
        assert "more than 1 km" in error["message"], name
    assert await db.fetchval("SELECT count(*) FROM cases") == 0


async def test_outside_the_regency_is_refused_naming_the_pin_in_both_languages(
    client: AsyncTestClient[Litestar],
) -> None:
    citizen = await resident(client)
    kota_serang = draft(point=(-6.12, 106.15))  # inside the old rectangle, outside the boundary
    messages = {}
    for language in ("id", "en"):
        answer = await client.post("/v1/complaints", json=kota_serang, headers={**citizen, "Accept-Language": language})
        assert answer.status_code == 422
        errors = answer.json()["errors"]
        assert [error["field"] for error in errors] == ["latitude", "longitude"]
        messages[language] = errors[0]["message"]
    assert messages == {
        "id": "Titik lokasi di luar wilayah Kabupaten Serang",
        "en": "The pin is outside Kabupaten Serang",
    }


async def test_a_pin_just_off_the_shore_is_filed_in_the_nearest_village(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    body = {**draft(point=(-5.988587, 106.106296)), "district_code": None}  # Bojonegara's shore
    filed = await client.post("/v1/complaints", json=body, headers=citizen)
    assert filed.status_code == 201, filed.text
    assert await _place_of(db, filed.json()["case_id"]) == ("36.04.07", "36.04.07.2001")
