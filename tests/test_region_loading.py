"""Loading the configured region from the shipped national list (regions/loading.py): once per data
version, and the path of a new Kepmendagri list (names updated, missing codes retired and left out
of every list, code changes recorded) against a real database (docs/regions.md)."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from serang_app.regions.loading import CodeChange, ensure_region_loaded
from serang_app.regions.reference_data import DATA_VERSION, regencies, region_rows
from tests.conftest import app_for


def test_the_shipped_list_has_every_level_of_the_decree() -> None:
    assert len(regencies()) == 514
    assert regencies()["36.04"].name == "Kabupaten Serang"
    serang = region_rows("36.04")
    assert [sum(1 for r in serang if r.level == level) for level in ("regency", "district", "village")] == [1, 29, 326]
    assert serang[0].code == "36.04"
    assert all(row.parent_code == row.code.rsplit(".", 1)[0] for row in serang)


async def test_a_loaded_version_is_not_loaded_again(db: asyncpg.Connection) -> None:
    loads = await db.fetch("SELECT region_code, data_version, province_name, rows_loaded FROM region_data_loads")
    assert [tuple(load) for load in loads] == [("36.04", DATA_VERSION, "Banten", 356)]
    assert await ensure_region_loaded(db, "36.04") == 0
    assert await db.fetchval("SELECT count(*) FROM region_data_loads") == 1


async def test_a_new_list_updates_names_retires_missing_codes_and_records_changes(
    database_url: str, db: asyncpg.Connection
) -> None:
    # The database as an earlier list left it: a district code this list no longer has, a village
    # under another name, and no record of this version.
    await db.execute("INSERT INTO regions VALUES ('36.04.04', 'Kecamatan Lama', 'district', '36.04')")
    await db.execute("UPDATE regions SET name = 'Kramat Watu' WHERE code = '36.04.05.2001'")
    await db.execute("DELETE FROM region_data_loads")
    split = CodeChange(
        old_code="36.04.04",
        new_code="36.73.01",
        change="moved",
        decree="UU 32/2007",
        data_version=DATA_VERSION,
    )
    elsewhere = CodeChange(
        old_code="32.01.01", new_code="32.01.02", change="renamed", decree="x", data_version=DATA_VERSION
    )

    assert await ensure_region_loaded(db, "36.04", changes=[split, elsewhere]) == 356

    assert await db.fetchval("SELECT name FROM regions WHERE code = '36.04.05.2001'") == "Kramatwatu"
    assert await db.fetchval("SELECT retired_in FROM regions WHERE code = '36.04.04'") == DATA_VERSION
    assert await db.fetchval("SELECT count(*) FROM regions WHERE code LIKE '36.04.%' AND retired_in IS NULL") == 355
    history = await db.fetch("SELECT old_code, new_code, change FROM region_code_history")
    assert [tuple(row) for row in history] == [("36.04.04", "36.73.01", "moved")]
    async with AsyncTestClient(app_for(database_url)) as client:
        districts = (await client.get("/v1/regions", params={"parent": "36.04"})).json()["items"]
        assert len(districts) == 29
        assert "36.04.04" not in {district["code"] for district in districts}
        retired = await client.get("/v1/regions", params={"parent": "36.04.04"})
        assert retired.status_code == 404
