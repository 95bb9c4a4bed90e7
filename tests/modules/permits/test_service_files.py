"""A service definition as one file (issue 23): imported through the API and the command line
with every mistake named at once and nothing changed, exported back as it was imported, and the
definitions shipped in the seeds folder published when missing (a bad one stops start-up with one
line)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.api import StartupError
from serang_app.db.pool import Database
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.permits import permits_module
from serang_app.modules.permits.seeds import seed_definitions
from serang_app.startup.failures import one_line
from tests.support.accounts import signed_in_staff

EXAMPLE: dict[str, Any] = json.loads((Path(__file__).parent / "dinsos_recommendation.json").read_text())
CODE = EXAMPLE["code"]
SERANG_APP = str(Path(sys.executable).parent / "serang-app")


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [permits_module()]


def mistaken() -> dict[str, Any]:
    """Seven mistakes of shape in one file."""
    wrong: dict[str, Any] = copy.deepcopy(EXAMPLE)
    del wrong["title"]
    wrong["colour"] = "blue"
    wrong["sla_days"] = 0
    wrong["fields"][0]["datatype"] = "blob"
    wrong["fields"][2]["code"] = "Other Work"
    wrong["documents"][0]["kinds"] = ["exe"]
    wrong["letter"]["signatory"]["nip"] = "12"
    return wrong


SHAPE_MISTAKES = [
    "colour",
    "documents[0].kinds[0]",
    "fields[0].datatype",
    "fields[2].code",
    "letter.signatory.nip",
    "sla_days",
    "title",
]


def content_mistakes() -> dict[str, Any]:
    """Right in shape, wrong in content: an unknown agency, placeholders and a pattern token."""
    wrong: dict[str, Any] = copy.deepcopy(EXAMPLE)
    wrong["agency"] = "NOPE"
    wrong["letter"]["body"]["en"] = "For {resident.phone}."
    wrong["letter"]["number_pattern"] = "{seq}/{week}"
    return wrong


async def test_importing_names_every_mistake_and_a_valid_file_enters_the_catalogue(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    refused = await client.post("/v1/permits/definitions/import", json=mistaken(), headers=admin)
    assert refused.status_code == 422, refused.text
    assert sorted(error["field"] for error in refused.json()["errors"]) == SHAPE_MISTAKES
    refused = await client.post("/v1/permits/definitions/import", json=content_mistakes(), headers=admin)
    assert sorted(error["field"] for error in refused.json()["errors"]) == [
        "agency",
        "letter.body.en",
        "letter.number_pattern",
    ]
    assert await db.fetchval("SELECT count(*) FROM permits.definitions WHERE permit_prefix IS NULL") == 0
    # The file is bounded: 256 KB.
    huge = {**EXAMPLE, "description": {"id": "x" * 300_000, "en": "x"}}
    assert (await client.post("/v1/permits/definitions/import", json=huge, headers=admin)).status_code == 413

    imported = await client.post("/v1/permits/definitions/import", json=EXAMPLE, headers=admin)
    assert imported.status_code == 200, imported.text
    assert imported.json()["published_version"] == 1
    catalogue = {item["code"]: item for item in (await client.get("/v1/services")).json()["items"]}
    assert catalogue[f"permits.{CODE}"]["opd"]["code"] == "DINSOS"
    exported = await client.get(f"/v1/permits/definitions/{CODE}/export", headers=admin)
    assert exported.headers["content-disposition"] == f'attachment; filename="{CODE}.json"'
    assert exported.json() == EXAMPLE
    # Imported again, changed: the next version of the same service.
    again = await client.post("/v1/permits/definitions/import", json={**EXAMPLE, "sla_days": 7}, headers=admin)
    assert again.json()["published_version"] == 2
    audited = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'service_definition.imported' AND object_id = $1", CODE
    )
    assert audited == 2
    officer = await signed_in_staff(client, database_url, "officer", "DINSOS")
    assert (await client.get(f"/v1/permits/definitions/{CODE}/export", headers=officer)).status_code == 403


async def test_seeds_are_published_once_and_a_bad_one_stops_start_up(
    app_database: Database, db: asyncpg.Connection, tmp_path: Path
) -> None:
    (tmp_path / "dinsos.json").write_text(json.dumps(EXAMPLE), encoding="utf-8")
    assert await seed_definitions(app_database, tmp_path) == [CODE]
    assert await seed_definitions(app_database, tmp_path) == []
    assert await db.fetchval("SELECT published_version FROM permits.definitions WHERE code = $1", CODE) == 1
    assert await db.fetchval("SELECT is_open FROM catalogue_services WHERE code = $1", f"permits.{CODE}") is True
    # An admin's later change stays: a seed fills only what is missing.
    await db.execute("UPDATE permits.definitions SET closed_at = now() WHERE code = $1", CODE)
    assert await seed_definitions(app_database, tmp_path) == []

    # A seed naming an agency this deployment does not have (another region's) is left out.
    (tmp_path / "elsewhere.json").write_text(json.dumps(EXAMPLE | {"code": "elsewhere", "agency": "NOPE"}))
    assert await seed_definitions(app_database, tmp_path) == []

    (tmp_path / "z_broken.json").write_text(json.dumps(content_mistakes() | {"code": "broken"}), encoding="utf-8")
    with pytest.raises(StartupError) as stopped:
        await seed_definitions(app_database, tmp_path)
    line = one_line(stopped.value)
    assert line.startswith("service definition z_broken.json: ")
    for path in ("letter.body.en", "letter.number_pattern"):
        assert f"{path}: " in line
    assert "\n" not in str(stopped.value)
    (tmp_path / "z_broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StartupError, match=r"z_broken\.json: not a JSON file"):
        await seed_definitions(app_database, tmp_path)
    assert await db.fetchval("SELECT count(*) FROM permits.definitions WHERE code IN ('broken', 'elsewhere')") == 0


def _services(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DATABASE_URL": database_url, "SERANG_LOG_LEVEL": "warning"}
    return subprocess.run(
        [SERANG_APP, "services", *arguments], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.e2e
async def test_the_command_line_imports_and_exports_a_definition_file(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    file = tmp_path / "dinsos.json"
    file.write_text(json.dumps(mistaken()), encoding="utf-8")
    refused = _services(database_url, "import", str(file))
    assert refused.returncode == 2
    named = [line.removeprefix(f"serang-app: {file}: ").split(":")[0] for line in refused.stderr.splitlines()]
    assert sorted(named) == SHAPE_MISTAKES
    assert await db.fetchval("SELECT count(*) FROM permits.definitions WHERE code = $1", CODE) == 0

    file.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    done = _services(database_url, "import", str(file))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"code": CODE, "published_version": 1}
    audited = await db.fetch(
        "SELECT actor_kind, actor_id, object_id, details FROM audit_log WHERE action = 'service_definition.imported'"
    )
    assert [{**row, "details": json.loads(row["details"])} for row in audited] == [
        {
            "actor_kind": "system",
            "actor_id": None,
            "object_id": CODE,
            "details": {"version": 1, "by": "command_line"},
        }
    ]
    exported = _services(database_url, "export", CODE)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout) == EXAMPLE
    assert _services(database_url, "export", "nothing_here").returncode == 2
