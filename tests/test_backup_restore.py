"""A backup made with the real `serang-app backup create` from a populated database and object
store, restored with `serang-app backup restore` into a new, empty database and storage, finds
every row and object again, and the app started on it serves them over HTTP. Against both
storage backends: the local folder backed up to a folder, and moto's S3 server over real HTTP
backed up to another bucket."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from serang_app.auth.keys import new_secrets
from serang_app.modules.appointments import appointments_module
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from tests.conftest import app_for
from tests.support.accounts import bearer, staff_tokens
from tests.support.app_server import running_app
from tests.support.object_store import S3_CREDENTIALS, local_keys, new_bucket, s3_keys, s3_object
from tests.support.populated import LETTER, populate
from tests.support.processes import run_cli

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

TABLES = """
SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


@dataclass(frozen=True)
class Environment:
    """Where the uploads are kept before and after, where the backup goes, and how to read objects."""

    source: dict[str, str]
    restored: dict[str, str]
    target: str
    objects: Callable[[dict[str, str]], dict[str, bytes]]
    cli: dict[str, str] = field(default_factory=dict)


@pytest.fixture(params=["folder", "s3"])
def environment(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Environment:
    if request.param == "folder":

        def in_folder(environ: dict[str, str]) -> dict[str, bytes]:
            folder = Path(environ["SERANG_DATA_DIR"]) / "storage"
            return {key: (folder / key).read_bytes() for key in local_keys(folder)}

        return Environment(
            source={"SERANG_DATA_DIR": str(tmp_path / "source")},
            restored={"SERANG_DATA_DIR": str(tmp_path / "restored")},
            target=str(tmp_path / "backup"),
            objects=in_folder,
        )
    endpoint: str = request.getfixturevalue("s3_endpoint")
    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)

    def in_bucket(environ: dict[str, str]) -> dict[str, bytes]:
        bucket = environ["S3_BUCKET"]
        return {key: s3_object(endpoint, bucket, key) for key in s3_keys(endpoint, bucket)}

    def bucket_environ() -> dict[str, str]:
        return {"S3_BUCKET": new_bucket(endpoint), "S3_ENDPOINT_URL": endpoint, "S3_FORCE_PATH_STYLE": "true"}

    return Environment(
        source=bucket_environ(),
        restored=bucket_environ(),
        target=f"s3://{new_bucket(endpoint)}/nightly/{uuid.uuid4().hex[:6]}",
        objects=in_bucket,
        # The backup bucket with a key of its own (moto takes any).
        cli={
            "SERANG_BACKUP_S3_ENDPOINT_URL": endpoint,
            "SERANG_BACKUP_AWS_ACCESS_KEY_ID": "backup-writer",
            "SERANG_BACKUP_AWS_SECRET_ACCESS_KEY": "backup-secret",
        },
    )


async def contents(database_url: str) -> dict[str, Any]:
    """Every table's rows (count and digest of their text) and every sequence's position."""
    connection = await asyncpg.connect(database_url)
    try:
        found: dict[str, Any] = {}
        for table in [row[0] for row in await connection.fetch(TABLES)]:
            digest = "md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
            found[table] = tuple((await connection.fetch(f"SELECT count(*), {digest} FROM {table} t"))[0])
        for row in await connection.fetch("SELECT schemaname, sequencename, last_value FROM pg_sequences"):
            found[f"sequence {row[0]}.{row[1]}"] = row[2]
        for name in ("residents", "cases", "uploads", "notifications"):
            found[f"ids of {name}"] = {row[0] for row in await connection.fetch(f"SELECT id FROM {name}")}
        found["modules"] = {row[0] for row in await connection.fetch("SELECT DISTINCT module FROM cases")}
        found["inboxes"] = {
            str(row[0]): set(row[1])
            for row in await connection.fetch("SELECT recipient_id, array_agg(id) FROM notifications GROUP BY 1")
        }
        found["files"] = {
            row[0]: json.loads(row[1]) for row in await connection.fetch("SELECT id::text, files FROM uploads")
        }
        return found
    finally:
        await connection.close()


async def test_a_backup_restores_into_an_empty_environment_that_serves_it(
    environment: Environment, database_url: str, empty_database: str, tmp_path: Path
) -> None:
    keys = new_secrets()  # the app's keys, kept apart from the backup, as production keeps them
    modules = [complaints_module(), permits_module(), appointments_module()]
    app = app_for(
        database_url,
        modules=modules,
        **keys,
        **environment.source,
    )
    async with AsyncTestClient(app) as client:
        population = await populate(client, database_url)
    before = await contents(database_url)
    stored = environment.objects(environment.source)
    for name in ("residents", "cases", "uploads", "notifications"):
        assert len(before[f"ids of {name}"]) >= 3, name
    assert before["modules"] == {"complaints", "permits", "appointments"}
    assert len(stored) >= 4  # the photo's two sizes and the two documents

    created = run_cli(
        "backup",
        "create",
        "--to",
        environment.target,
        env={"DATABASE_URL": database_url, **environment.source, **environment.cli},
    )
    assert created.returncode == 0, created.stderr
    assert f"{len(stored)} object(s)" in created.stdout
    if not environment.target.startswith("s3://"):
        backup = Path(environment.target)
        assert stat.S_IMODE(backup.stat().st_mode) == 0o700
        private = [backup / "database.dump", backup / "manifest.json", *(backup / "objects").rglob("*")]
        assert all(stat.S_IMODE(path.stat().st_mode) & 0o077 == 0 for path in private)
    verified = run_cli("backup", "verify", "--from", environment.target, env=environment.cli)
    assert verified.returncode == 0, verified.stderr

    restored = run_cli(
        "backup",
        "restore",
        "--from",
        environment.target,
        "--database-url",
        empty_database,
        env={**environment.restored, **environment.cli},
    )
    assert restored.returncode == 0, restored.stderr
    assert await contents(empty_database) == before
    assert environment.objects(environment.restored) == stored

    # The app on the restored database and storage, with the same keys, serves what was there.
    with running_app(empty_database, tmp_path / "served.log", **keys, **environment.restored) as base_url:
        async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=30) as http:
            refreshed = await http.post(
                "/v1/auth/refresh", json={"refresh_token": population.complainant_refresh_token}
            )
            assert refreshed.status_code == 200, refreshed.text
            complainant = bearer(refreshed.json())
            me = (await http.get("/v1/me", headers=complainant)).json()
            assert (me["name"], me["nik"]) == ("Siti Aminah", population.complainant_nik)
            inbox = (await http.get("/v1/me/notifications", headers=complainant)).json()["items"]
            assert {uuid.UUID(item["id"]) for item in inbox} == before["inboxes"][me["id"]]

            officer = bearer(await staff_tokens(http, population.officer_email))
            complaint = await http.get(f"/v1/complaints/{population.complaint_case_id}", headers=officer)
            assert complaint.status_code == 200, complaint.text
            assert complaint.json()["photo_ids"] == [population.photo_id]
            files = before["files"][population.photo_id]
            assert set(files) == {"display", "thumbnail"}
            for name, content in (await downloads(http, population.photo_id, officer)).items():
                assert content == stored[files[name]]

            permits_officer = bearer(await staff_tokens(http, population.permits_officer_email))
            application = await http.get(
                f"/v1/permits/applications/{population.permit_application_id}", headers=permits_officer
            )
            assert application.status_code == 200, application.text
            for document_id in application.json()["documents"].values():
                assert await downloads(http, document_id, permits_officer) == {"document": LETTER}


async def downloads(http: httpx.AsyncClient, upload_id: str, auth: dict[str, str]) -> dict[str, bytes]:
    """Each file of an upload, fetched through the presigned link the API hands out."""
    answer = await http.get(f"/v1/uploads/{upload_id}", headers=auth)
    assert answer.status_code == 200, answer.text
    fetched = {}
    async with httpx.AsyncClient(trust_env=False, timeout=30) as outside:
        for item in answer.json()["files"]:
            response = await outside.get(item["url"])
            assert response.status_code == 200, response.text
            fetched[item["name"]] = response.content
    return fetched


# --- what goes wrong is said in one line ---------------------------------------------------------


def one_line_refusal(*args: str, **environ: str) -> str:
    answer = run_cli("backup", *args, env=environ)
    assert answer.returncode == 2, (answer.stdout, answer.stderr)
    assert "Traceback" not in answer.stderr
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1, answer.stderr
    assert lines[0].startswith("serang-app: ")
    return lines[0]


def test_bad_targets_and_unreachable_databases_are_refused_in_one_line(
    tmp_path: Path, database_url: str, empty_database: str
) -> None:
    data = {"SERANG_DATA_DIR": str(tmp_path / "data")}
    assert "neither a folder nor s3://" in one_line_refusal("create", "--to", "ftp://backups/x", **data)
    unreachable = "postgresql://serang:secret-password@127.0.0.1:1/serang"
    refused = one_line_refusal("create", "--to", str(tmp_path / "new"), DATABASE_URL=unreachable, **data)
    assert "cannot reach the database 127.0.0.1:1/serang" in refused
    assert "secret-password" not in refused
    assert not (tmp_path / "new" / "database.dump").exists()

    made = run_cli("backup", "create", "--to", str(tmp_path / "made"), env={"DATABASE_URL": database_url, **data})
    assert made.returncode == 0, made.stderr
    # A backup is never written over, nor a database with tables in it, nor a damaged backup restored.
    again = one_line_refusal("create", "--to", str(tmp_path / "made"), DATABASE_URL=database_url, **data)
    assert "is not empty" in again
    into_used = one_line_refusal("restore", "--from", str(tmp_path / "made"), "--database-url", database_url, **data)
    assert "is not empty" in into_used
    with (tmp_path / "made" / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    damaged = one_line_refusal("restore", "--from", str(tmp_path / "made"), "--database-url", empty_database, **data)
    assert "does not match its checksum" in damaged
