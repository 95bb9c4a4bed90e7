"""The app configured for another region, Kota Serang (36.73), end to end over HTTP: its rows
loaded from the national list at start-up, its districts listed, complaints inside its real
boundary accepted and outside refused, the regency's codes (still in the table from 0002) out of
reach (docs/regions.md)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.modules.complaints import complaints_module
from serang_app.regions.reference_data import DATA_VERSION
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.complaints_app import modules_app

KOTA_SERANG = "36.73"
CENTRE = (-6.12, 106.15)  # the centre of Kota Serang, in its district 36.73.01 Serang
WANAYASA = (-6.05, 106.1)  # a village of Kabupaten Serang, 36.04.05.2012


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = modules_app(database_url, tmp_path, complaints_module(), SERANG_REGION_CODE=KOTA_SERANG)
    async with AsyncTestClient(app) as test_client:
        yield test_client


def _complaint(point: tuple[float, float], **changes: object) -> dict[str, object]:
    return {
        "category": "street_lights",
        "description": "Lampu jalan di depan alun-alun mati sejak seminggu.",
        "latitude": point[0],
        "longitude": point[1],
        "district_code": "36.73.01",
        **changes,
    }


async def _resident(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    return bearer(await resident_tokens(client, f"+62817{uuid.uuid4().int % 10**8:08d}"))


async def test_the_city_and_its_districts_are_listed(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> None:
    root = await client.get("/v1/regions")
    assert root.json()["items"] == [{"code": "36.73", "name": "Kota Serang", "level": "regency", "parent_code": None}]
    districts = (await client.get("/v1/regions", params={"parent": KOTA_SERANG})).json()["items"]
    assert [d["name"] for d in districts] == ["Cipocok Jaya", "Curug", "Kasemen", "Serang", "Taktakan", "Walantaka"]
    villages = (await client.get("/v1/regions", params={"parent": "36.73.01"})).json()["items"]
    assert villages
    assert all(v["code"].startswith("36.73.01.") for v in villages)
    # Kabupaten Serang's rows (seeded by 0002) are not this deployment's.
    regency = await client.get("/v1/regions", params={"parent": "36.04"})
    assert regency.status_code == 422
    assert regency.json()["errors"][0]["field"] == "parent"
    loaded = await db.fetchrow("SELECT * FROM region_data_loads WHERE region_code = $1", KOTA_SERANG)
    assert loaded is not None
    assert (loaded["data_version"], loaded["province_code"], loaded["province_name"], loaded["rows_loaded"]) == (
        DATA_VERSION,
        "36",
        "Banten",
        74,
    )


async def test_a_complaint_inside_the_city_is_accepted_and_outside_refused(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await _resident(client)
    inside = await client.post("/v1/complaints", json=_complaint(CENTRE), headers=citizen)
    assert inside.status_code == 201, inside.text
    assert await db.fetchval("SELECT district_code FROM cases") == "36.73.01"

    english = {**citizen, "Accept-Language": "en"}
    outside = await client.post("/v1/complaints", json=_complaint(WANAYASA), headers=english)
    assert outside.status_code == 422
    assert [(e["field"], e["message"]) for e in outside.json()["errors"]] == [
        ("latitude", "The pin is outside Kota Serang"),
        ("longitude", "The pin is outside Kota Serang"),
    ]
    # No village boundaries ship for the city: the resident names the district.
    pin_alone = {k: v for k, v in _complaint(CENTRE).items() if k != "district_code"}
    unplaced = await client.post("/v1/complaints", json=pin_alone, headers=english)
    assert unplaced.status_code == 422
    assert [(e["field"], e["code"]) for e in unplaced.json()["errors"]] == [("district_code", "required")]
    regency_district = await client.post(
        "/v1/complaints", json=_complaint(CENTRE, district_code="36.04.05"), headers=english
    )
    assert regency_district.status_code == 422
    assert [e["field"] for e in regency_district.json()["errors"]] == ["district_code"]
    assert await db.fetchval("SELECT count(*) FROM cases") == 1


async def test_a_resident_chooses_a_district_of_the_city(client: AsyncTestClient[Litestar]) -> None:
    citizen = await _resident(client)
    assert (await client.patch("/v1/me", json={"district_code": "36.73.05"}, headers=citizen)).status_code == 200
    refused = await client.patch("/v1/me", json={"district_code": "36.04.05"}, headers=citizen)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "district_code"


async def test_open311_lists_the_citys_districts_and_requires_one(client: AsyncTestClient[Litestar]) -> None:
    definition = (await client.get("/open311/v2/services/street_lights.json")).json()
    district = definition["attributes"][0]
    assert (district["code"], district["required"]) == ("district_code", True)
    assert sorted(value["key"] for value in district["values"]) == [f"36.73.0{n}" for n in range(1, 7)]


async def test_announcements_go_to_the_citys_districts_only(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    notice = {
        "title": {"id": "Pemadaman listrik terjadwal", "en": "Scheduled power cut"},
        "body": {"id": "Sabtu pukul 08.00-12.00 WIB.", "en": "Saturday from 08:00 to 12:00 WIB."},
    }
    city = await client.post("/v1/admin/announcements", json={**notice, "district_codes": ["36.73.02"]}, headers=admin)
    assert city.status_code == 201, city.text
    regency = await client.post(
        "/v1/admin/announcements", json={**notice, "district_codes": ["36.04.05"]}, headers=admin
    )
    assert regency.status_code == 422
    assert [e["field"] for e in regency.json()["errors"]] == ["district_codes"]
    feed = await client.get("/v1/announcements", params={"district": "36.73.02"})
    assert [item["id"] for item in feed.json()["items"]] == [city.json()["id"]]
