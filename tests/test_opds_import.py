"""`serang-app opds import FILE` (docs/identity.md, "Agencies"): another region's agencies from a
CSV file, run as the operator runs it, against a real database; a file with bad rows names each of
them and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import app_for
from tests.support.accounts import signed_in_staff

SERANG_APP = str(Path(sys.executable).parent / "serang-app")
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "reference" / "serang_opd.csv"
# A few of Kabupaten Pandeglang's agencies; DPUPR shares its code with a seeded one, renamed here.
PANDEGLANG = """code,short_name,name
DPMPTSP,DPMPTSP,Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu
DPUPR,DPUPR Pandeglang,Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Pandeglang
DISPARBUD,Disparbud,"Dinas Pariwisata, Pemuda, Olahraga dan Kebudayaan"
"""


# Every test runs `serang-app opds import` as the operator would (docs/testing.md, the e2e marker).
pytestmark = pytest.mark.e2e


def _import(database_url: str, file: Path, *options: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DATABASE_URL": database_url, "SERANG_LOG_LEVEL": "warning"}
    return subprocess.run(
        [SERANG_APP, "opds", "import", str(file), *options],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _active(db: asyncpg.Connection) -> dict[str, str]:
    rows = await db.fetch("SELECT code, short_name FROM opds WHERE is_active ORDER BY code")
    return {row["code"]: row["short_name"] for row in rows}


async def test_another_regions_agencies_replace_the_seed(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    file = tmp_path / "pandeglang_opd.csv"
    file.write_text(PANDEGLANG, encoding="utf-8")
    done = _import(database_url, file)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert (result["added"], result["updated"], result["unchanged"]) == (["DISPARBUD"], ["DPUPR"], ["DPMPTSP"])
    # The seed's other agencies are closed, not deleted; the administrators' own agency stays open.
    assert "DINSOS" in result["closed"]
    assert "DISKOMINFOSATIK" not in result["closed"]
    assert await _active(db) == {
        "DISKOMINFOSATIK": "Diskominfosatik",
        "DISPARBUD": "Disparbud",
        "DPMPTSP": "DPMPTSP",
        "DPUPR": "DPUPR Pandeglang",
    }
    assert await db.fetchval("SELECT count(*) FROM opds WHERE NOT is_active") == len(result["closed"])
    audited = await db.fetchrow("SELECT actor_kind, details FROM audit_log WHERE action = 'opds.imported'")
    assert audited is not None
    assert audited["actor_kind"] == "system"

    # The admin API lists what the file made, and a second run changes nothing.
    async with AsyncTestClient(app_for(database_url)) as client:
        admin = await signed_in_staff(client, database_url, "admin", None)
        listed = (await client.get("/v1/admin/opds", headers=admin)).json()["items"]
    assert {item["code"]: item["name"] for item in listed if item["is_active"]}["DISPARBUD"] == (
        "Dinas Pariwisata, Pemuda, Olahraga dan Kebudayaan"
    )
    again = json.loads(_import(database_url, file).stdout.splitlines()[-1])
    assert again == {"added": [], "updated": [], "unchanged": ["DPMPTSP", "DPUPR", "DISPARBUD"], "closed": []}


async def test_keep_others_leaves_the_seed_open_and_the_shipped_file_imports_unchanged(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    seeded = await _active(db)
    shipped = _import(database_url, SHIPPED)
    assert shipped.returncode == 0, shipped.stderr
    result = json.loads(shipped.stdout.splitlines()[-1])
    # The seed came from this file: nothing to add, rename or close.
    assert (result["added"], result["updated"], result["closed"]) == ([], [], [])
    assert set(result["unchanged"]) == set(seeded)
    assert await _active(db) == seeded
    file = tmp_path / "more.csv"
    file.write_text("code,short_name,name\nDISPARBUD,Disparbud,Dinas Pariwisata\n", encoding="utf-8")
    assert _import(database_url, file, "--keep-others").returncode == 0
    assert await _active(db) == {**seeded, "DISPARBUD": "Disparbud"}


async def test_a_file_with_bad_rows_names_each_and_changes_nothing(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    before = await db.fetch("SELECT * FROM opds ORDER BY code")
    file = tmp_path / "bad.csv"
    file.write_text(
        "code,short_name,name\n"
        "DPUPR,DPUPR,Dinas Pekerjaan Umum\n"
        "dinsos,Dinsos,Dinas Sosial\n"  # line 3: a lower-case code
        "DLH,,Dinas Lingkungan Hidup\n"  # line 4: no short name
        "DPUPR,DPUPR,Dinas Pekerjaan Umum\n"  # line 5: the code of line 2 again
        "BPBD,BPBD\n"  # line 6: a column missing
        "\n"
        "DISHUB,Dishub,Dinas Perhubungan\n",
        encoding="utf-8",
    )
    done = _import(database_url, file)
    assert done.returncode == 2
    problems = [line for line in done.stderr.splitlines() if line.startswith("serang-app: ")]
    assert [problem.split(": ")[2] for problem in problems] == ["line 3", "line 4", "line 5", "line 6"], problems
    assert "code" in problems[0]
    assert "short_name" in problems[1]
    assert "line 2" in problems[2]
    assert "3 columns" in problems[3]
    assert await db.fetch("SELECT * FROM opds ORDER BY code") == before

    header = tmp_path / "header.csv"
    header.write_text("kode,nama\nDPUPR,Dinas\n", encoding="utf-8")
    wrong = _import(database_url, header)
    assert wrong.returncode == 2
    assert "line 1: expected the header code,short_name,name" in wrong.stderr
