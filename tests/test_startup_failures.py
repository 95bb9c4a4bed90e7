"""Every start-up failure of serve, worker and migrate apply ends as one line naming its cause.

Through the real command in a subprocess, as an operator (or a container's log) sees it: exactly
one line on stderr, no traceback anywhere, and a non-zero exit code.
"""

from __future__ import annotations

import socket
import subprocess

import asyncpg
import pytest

from serang_app.auth.keys import new_secrets
from tests.support.processes import free_port, run_cli

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

SERVE = ("serve",)
COMMANDS = [SERVE, ("worker",), ("migrate", "apply")]
REFUSED = "connection refused (is PostgreSQL running, and listening there?)"


def _production(database_url: str, **environ: str) -> dict[str, str]:
    return {
        "SERANG_ENV": "production",
        "DATABASE_URL": database_url,
        "SERANG_PUBLIC_URL": "https://layanan.test",
        "SERANG_MODULES": "none",
        **new_secrets(),
        **environ,
    }


def _run(
    command: tuple[str, ...], environ: dict[str, str], port: int | None = None
) -> subprocess.CompletedProcess[str]:
    if command == SERVE:
        command = (*command, "--port", str(port or free_port()))
    return run_cli(*command, env=environ)


def _assert_one_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [f"serang-app: {message}"], result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def _unreachable_database() -> tuple[str, str]:
    port = free_port()  # a port nothing listens on
    return f"postgresql://serang:secret-password@127.0.0.1:{port}/serang", f"127.0.0.1:{port}/serang"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_that_cannot_be_reached(command: tuple[str, ...]) -> None:
    url, where = _unreachable_database()
    result = _run(command, _production(url))
    _assert_one_line(result, f"cannot connect to PostgreSQL at {where}: {REFUSED}")
    assert "secret-password" not in result.stdout + result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_server_worker_process_that_cannot_start_is_reported_by_the_parent(workers: str) -> None:
    """Without migrations at start (compose's api), only granian's worker processes connect."""
    url, where = _unreachable_database()
    environ = _production(url, SERANG_MIGRATE_ON_START="false", SERANG_WORKERS=workers)
    result = _run(SERVE, environ)
    _assert_one_line(result, f"cannot connect to PostgreSQL at {where}: {REFUSED}")
    assert "Spawning worker-1" in result.stdout, "the failure should come from a worker process"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_that_does_not_exist(command: tuple[str, ...], database_url: str) -> None:
    missing = database_url.rsplit("/", 1)[0] + "/no_such_database"
    result = _run(command, _production(missing))
    _assert_one_line(
        result, f'cannot connect to PostgreSQL at {missing.split("@")[1]}: database "no_such_database" does not exist'
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_setting(command: tuple[str, ...]) -> None:
    url, _ = _unreachable_database()
    result = _run(command, _production(url, SERANG_DB_POOL_MAX="lots"))
    _assert_one_line(result, "SERANG_DB_POOL_MAX: Expected `int`, got `str` (got 'lots')")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_secret(command: tuple[str, ...]) -> None:
    url, _ = _unreachable_database()
    result = _run(command, _production(url, SERANG_NIK_INDEX_KEY=""))
    _assert_one_line(result, "SERANG_NIK_INDEX_KEY: required when SERANG_ENV=production")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_credentials_file_that_was_not_mounted(command: tuple[str, ...]) -> None:
    url, _ = _unreachable_database()
    result = _run(command, _production(url, FCM_CREDENTIALS_FILE="/run/secrets/no-such-fcm.json"))
    _assert_one_line(result, "FCM_CREDENTIALS_FILE: no such file: /run/secrets/no-such-fcm.json")


def test_a_region_without_a_boundary(database_url: str) -> None:
    result = _run(SERVE, _production(database_url, SERANG_REGION_CODE="32.01"))
    _assert_one_line(
        result,
        "no boundary for region 32.01 (Kabupaten Bogor): put a GeoJSON FeatureCollection (RFC 7946, WGS84 "
        "[longitude, latitude]) of MultiPolygon features with properties code, name and level, holding a feature "
        "with code 32.01 and level regency (and its villages, level village, to place pins in districts), "
        "in a .geojson file in SERANG_REGION_BOUNDARIES_DIR",
    )


@pytest.mark.parametrize("command", [SERVE, ("migrate", "apply")])
async def test_a_migration_changed_after_it_was_applied(command: tuple[str, ...], database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        # What the ledger holds when the file was edited after it ran: another checksum.
        await connection.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE name = '0002_regions.sql'")
    finally:
        await connection.close()
    result = _run(command, _production(database_url))
    _assert_one_line(
        result,
        "core/0002_regions.sql was changed after it was applied (checksum differs); "
        "restore it and add a new migration instead",
    )


def test_a_port_in_use(database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(SERVE, _production(database_url, SERANG_HOST="127.0.0.1"), port=port)
    _assert_one_line(
        result, f"cannot listen on 127.0.0.1:{port}: address already in use (PORT or --port chooses another)"
    )
