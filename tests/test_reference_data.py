from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient


async def test_the_regency_has_29_districts(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/regions", params={"parent": "36.04"})
    assert response.status_code == 200
    districts = response.json()["items"]
    assert len(districts) == 29
    assert {d["level"] for d in districts} == {"district"}
    assert {"code": "36.04.05", "name": "Kramatwatu", "level": "district", "parent_code": "36.04"} in districts
    assert [d["name"] for d in districts] == sorted(d["name"] for d in districts)


async def test_a_district_lists_its_villages(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/regions", params={"parent": "36.04.05"})
    villages = response.json()["items"]
    assert len(villages) == 15
    assert all(v["code"].startswith("36.04.05.") and v["level"] == "village" for v in villages)


async def test_without_parent_the_regency_itself_is_listed(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/regions")
    assert response.json()["items"] == [
        {"code": "36.04", "name": "Kabupaten Serang", "level": "regency", "parent_code": None}
    ]


async def test_all_326_villages_are_loaded(client: AsyncTestClient[Litestar]) -> None:
    districts = (await client.get("/v1/regions", params={"parent": "36.04"})).json()["items"]
    total = 0
    for district in districts:
        total += len((await client.get("/v1/regions", params={"parent": district["code"]})).json()["items"])
    assert total == 326


async def test_a_village_has_no_children(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/regions", params={"parent": "36.04.05.2001"})
    assert response.status_code == 200
    assert response.json()["items"] == []


async def test_an_unknown_region_is_a_404_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/regions", params={"parent": "36.04.99"}, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "region_not_found"
    assert "36.04.99" in response.json()["detail"]


async def test_a_malformed_region_code_is_a_422_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/regions", params={"parent": "32.01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent"


async def test_regions_answer_304_for_a_matching_etag(client: AsyncTestClient[Litestar]) -> None:
    first = await client.get("/v1/regions", params={"parent": "36.04"})
    again = await client.get(
        "/v1/regions", params={"parent": "36.04"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_the_catalogue_is_empty_without_modules(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/services")
    assert response.status_code == 200
    assert response.json() == {"items": []}
    assert response.headers["etag"]
