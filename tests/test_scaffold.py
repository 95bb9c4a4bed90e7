"""`serang-app new-module`: the package it writes installs into a fresh environment beside the
core, passes the module contract and its own test there, and is served by the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from serang_app.scaffold import ScaffoldError, write_module
from tests.support.app_server import running_app
from tests.support.database import PROJECT_ROOT, TestServer
from tests.support.processes import run_cli

UV = str(Path(sys.executable).parent / "uv")


def _run(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.mark.e2e
@pytest.mark.timeout(900)
async def test_the_scaffold_installs_passes_its_contract_and_is_served(
    tmp_path: Path, test_server: TestServer, database_url: str
) -> None:
    written = run_cli("new-module", "wells", "--directory", str(tmp_path), "--opd", "DPUPR")
    assert written.returncode == 0, written.stderr
    package = tmp_path / "serang-wells"
    assert (package / "src" / "serang_wells" / "migrations" / "0001_requests.sql").is_file()

    # A fresh environment with nothing but the core and the new module (and pytest, its test extra).
    venv = tmp_path / "venv"
    _run(UV, "venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    _run(UV, "pip", "install", "--quiet", "--python", python, "-e", str(PROJECT_ROOT), "-e", f"{package}[test]")
    assert "wells" in _run(str(venv / "bin" / "serang-app"), "modules")

    # The module's own tests: the contract kit (the core's pytest11 plugin) and the scaffold's test.
    outcome = _run(
        str(venv / "bin" / "pytest"),
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=package,
        env={"TEST_DATABASE_URL": test_server.admin_dsn},
    )
    assert "8 passed" in outcome, outcome

    # Restarted with the module installed, the app serves it.
    async with httpx.AsyncClient(timeout=30) as client:
        with running_app(
            database_url, tmp_path / "serve.log", command=str(venv / "bin" / "serang-app"), SERANG_ENV="development"
        ) as base_url:
            services = (await client.get(f"{base_url}/v1/services")).json()
            assert "wells.request" in {item["code"] for item in services["items"]}
            signed_in = await client.post(
                f"{base_url}/v1/auth/dev",
                json={"phone": "+6281200000077", "consent_policy_version": CURRENT_PRIVACY_POLICY},
            )
            headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            created = await client.post(f"{base_url}/v1/wells/requests", json={"note": "Sumur kering"}, headers=headers)
            assert created.status_code == 201, created.text
            assert created.json()["reference"].startswith("WEL-")


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("Wells", {}, "cannot be a module name"),
        ("cases", {}, "reserved by the core"),
        ("wells", {"prefix": "w"}, "2-5 capital letters"),
        ("wells", {"opd_code": "dpupr"}, "is not an agency code"),
    ],
)
def test_a_bad_name_prefix_or_agency_is_refused_and_nothing_written(
    tmp_path: Path, name: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(ScaffoldError, match=message):
        write_module(name, tmp_path, **options)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "serang-wells").mkdir()
    refused = run_cli("new-module", "wells", "--directory", str(tmp_path))
    assert refused.returncode == 2
    assert "already exists; nothing was written" in refused.stderr
    assert list((tmp_path / "serang-wells").iterdir()) == []
