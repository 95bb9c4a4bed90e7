"""The regency's own services shipped as definition files (src/serang_app/modules/services/seeds,
issue 23; docs/services-seeded.md lists them and their sources): each passes the machinery's own
validator and is published at start-up, the set covers ten services of eight agencies and every
workflow template, an appointment names a service the appointments module offers, and
SERANG_SERVICE_SEEDS chooses the folder or none."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.api import StartupError
from serang_app.db.pool import Database
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.appointments import appointments_module
from serang_app.modules.appointments.offers import offer_bookable
from serang_app.modules.permits import permits_module
from serang_app.modules.permits.seeds import SEEDS_FOLDER, seed_definitions, seeds_folder
from tests.conftest import app_for

SEEDS = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(SEEDS_FOLDER.glob("*.json"))]
# tests/test_no_region_in_code.py: nothing under src/ names the region; a definition names its
# agency and regency through placeholders, so that another regency can import it as it is.
REGION = re.compile(r"Serang|\bSERANG\b(?!_)|36\.04")


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [permits_module(), appointments_module()]


def test_the_seeds_cover_ten_services_of_eight_agencies_and_every_workflow() -> None:
    codes = [seed["code"] for seed in SEEDS]
    assert len(codes) >= 10
    assert len(set(codes)) == len(codes)
    assert len({seed["agency"] for seed in SEEDS}) >= 8
    workflows = [seed["workflow"] for seed in SEEDS]
    assert {workflow["outcome"] for workflow in workflows} == {"decision", "letter", "appointment"}
    assert sum(workflow["approval"] == "supervisor" for workflow in workflows) >= 2
    assert sum(workflow["revisions"] for workflow in workflows) >= 2
    assert sum(any("shown_when" in field for field in seed["fields"]) for seed in SEEDS) >= 2
    for path in SEEDS_FOLDER.glob("*.json"):
        assert not REGION.search(path.read_text(encoding="utf-8")), path.name


async def test_every_seed_passes_the_machinery_and_is_published_once(
    app_database: Database, db: asyncpg.Connection
) -> None:
    # seed_definitions checks each file as an import does (every problem named, start-up stopped),
    # and leaves out one whose agency this deployment lacks, or whose appointment nobody can book
    # here: none until the appointments module offers its services (at its start).
    without_bookings = await seed_definitions(app_database, SEEDS_FOLDER)
    assert "disdukcapil_ktp_first_recording" not in without_bookings
    async with app_database.acquire() as connection:
        await offer_bookable(connection)
    published = without_bookings + await seed_definitions(app_database, SEEDS_FOLDER)
    assert sorted(published) == sorted(seed["code"] for seed in SEEDS)
    assert await seed_definitions(app_database, SEEDS_FOLDER) == []
    offered = await db.fetch("SELECT code, is_open FROM catalogue_services WHERE module = 'permits'")
    assert {f"permits.{seed['code']}" for seed in SEEDS} <= {row["code"] for row in offered}
    # An appointment outcome names a service residents can book (checked through the core's
    # offers; here against the appointments module's own table).
    bookable = {row["code"] for row in await db.fetch("SELECT code FROM appointments.services")}
    for seed in SEEDS:
        if seed["workflow"]["outcome"] == "appointment":
            assert seed["appointment"]["service"] in bookable, seed["code"]


async def test_an_app_publishes_the_shipped_seeds_and_residents_find_them(database_url: str) -> None:
    # In the order discovery starts them (by name): the appointments module offers its services
    # before the permits seeds are checked against them.
    app: Litestar = app_for(database_url, [appointments_module(), permits_module()], SERANG_SERVICE_SEEDS="shipped")
    async with AsyncTestClient(app) as client:
        catalogue = (await client.get("/v1/services")).json()["items"]
        listed = {item["code"] for item in catalogue}
        assert {f"permits.{seed['code']}" for seed in SEEDS} <= listed
        first: dict[str, Any] = SEEDS[0]
        definition = await client.get(f"/v1/permits/definitions/{first['code']}")
        assert definition.status_code == 200, definition.text
        assert definition.json()["title"] == first["title"]
        # The app asks again with the ETag: 304 with no body while nothing is published.
        etag = definition.headers["etag"]
        assert definition.headers["cache-control"] == "public, max-age=60"
        again = await client.get(f"/v1/permits/definitions/{first['code']}", headers={"If-None-Match": etag})
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == etag
        other = await client.get(f"/v1/permits/definitions/{SEEDS[1]['code']}", headers={"If-None-Match": etag})
        assert other.status_code == 200
        assert other.headers["etag"] != etag
        missing = await client.get("/v1/permits/definitions/nothing_here", headers={"If-None-Match": etag})
        assert missing.status_code == 404


def test_the_seeds_setting_names_the_folder_or_none(tmp_path: Path) -> None:
    assert seeds_folder("shipped") == SEEDS_FOLDER
    assert seeds_folder("none") is None
    assert seeds_folder(str(tmp_path)) == tmp_path
    with pytest.raises(StartupError, match="SERANG_SERVICE_SEEDS"):
        seeds_folder(str(tmp_path / "missing"))
