"""Settings from the environment, and the operator commands."""

from __future__ import annotations

import asyncpg
import pytest
from argon2 import PasswordHasher

from serang_app.auth.keys import new_secrets
from serang_app.db.migrations import core_migrations_folder
from serang_app.settings import SettingsError, load_settings
from tests.support.processes import run_cli

PRODUCTION_SECRETS = new_secrets()


def test_production_needs_its_secrets() -> None:
    with pytest.raises(SettingsError, match="SERANG_JWT_KEYS: required when SERANG_ENV=production"):
        load_settings({"SERANG_ENV": "production", "DATABASE_URL": "postgresql://serang@db/serang"})


def test_defaults_are_development_on_localhost_8000() -> None:
    settings = load_settings({})
    assert (settings.env, settings.host, settings.port, settings.workers) == ("development", "127.0.0.1", 8000, 1)
    assert settings.uses_embedded_database
    assert (settings.storage_backend, settings.push_backend) == ("local", "log")
    assert settings.worker_in_process
    assert settings.enabled_module_slugs is None
    assert (settings.region_code, settings.region_boundaries_dir) == ("36.04", None)


def test_the_region_is_any_regency_or_city_of_the_shipped_list() -> None:
    assert load_settings({"SERANG_REGION_CODE": "36.73"}).region_code == "36.73"
    assert load_settings({"SERANG_REGION_CODE": "32.01"}).region_code == "32.01"


def test_production_shape_from_the_environment() -> None:
    settings = load_settings(
        {
            "SERANG_ENV": "production",
            "DATABASE_URL": "postgresql://serang@db/serang",
            "PORT": "9000",
            "S3_BUCKET": "media",
            "SERANG_MODULES": "complaints, permits",
            "SERANG_ACCESS_LOG": "off",
            "SERANG_PUBLIC_URL": "https://layanan.serangkab.go.id/",
            **PRODUCTION_SECRETS,
        }
    )
    assert settings.port == 9000
    assert settings.storage_backend == "s3"
    assert not settings.worker_in_process
    assert not settings.access_log
    assert settings.enabled_module_slugs == frozenset({"complaints", "permits"})
    assert settings.public_base_url == "https://layanan.serangkab.go.id"


PRODUCTION = {"SERANG_ENV": "production", "DATABASE_URL": "postgresql://serang@db/serang", **PRODUCTION_SECRETS}


@pytest.mark.parametrize(
    ("public_url", "message"),
    [
        (None, "SERANG_PUBLIC_URL: required when SERANG_ENV=production"),
        ("http://layanan.serangkab.go.id", "SERANG_PUBLIC_URL: must be https:// in production"),
        ("https://layanan.serangkab.go.id/?from=qr", "SERANG_PUBLIC_URL: Expected `str` matching regex"),
        ("https://user@layanan.serangkab.go.id", "SERANG_PUBLIC_URL: Expected `str` matching regex"),
    ],
)
def test_production_names_its_https_public_url(public_url: str | None, message: str) -> None:
    """Absolute URLs (a permit's QR code among them) start with it, never with the request's Host."""
    environ = PRODUCTION if public_url is None else {**PRODUCTION, "SERANG_PUBLIC_URL": public_url}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert str(raised.value).startswith(message)


def test_the_public_url_defaults_to_the_local_port_and_allows_http_on_loopback_only() -> None:
    assert load_settings({"PORT": "9000", "SERANG_HOST": "0.0.0.0"}).public_base_url == "http://127.0.0.1:9000"
    trial = load_settings({**PRODUCTION, "SERANG_PUBLIC_URL": "http://localhost:8000"})
    assert trial.public_base_url == "http://localhost:8000"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "eighty"}, "PORT: Expected `int`, got `str` (got 'eighty')"),
        ({"PORT": "70000"}, "PORT: Expected `int` <= 65535 (got '70000')"),
        ({"SERANG_ENV": "staging"}, "SERANG_ENV: Invalid enum value 'staging' (got 'staging')"),
        ({"SERANG_ACCESS_LOG": "maybe"}, "SERANG_ACCESS_LOG: expected true or false, got 'maybe'"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL: expected a postgresql:// URL"),
        ({"SERANG_DB_POOL_MIN": "20", "SERANG_DB_POOL_MAX": "5"}, "SERANG_DB_POOL_MIN: must not exceed"),
        ({"SERANG_MODULES": "Complaints!"}, "SERANG_MODULES: expected 'all', 'none' or comma-separated"),
        (
            {"SERANG_REGION_CODE": "36.99"},
            "SERANG_REGION_CODE: 36.99 is not a regency or city code of Kepmendagri No 300.2.2-2138 Tahun 2025",
        ),
        ({"SERANG_REGION_CODE": "36"}, "SERANG_REGION_CODE: Expected `str` matching regex"),
        ({"SERANG_REGION_CODE": "36.04.05"}, "SERANG_REGION_CODE: Expected `str` matching regex"),
        ({"SERANG_REGION_BOUNDARIES_DIR": "/no/such/folder"}, "SERANG_REGION_BOUNDARIES_DIR: no such folder"),
    ],
)
def test_a_bad_value_names_its_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert str(raised.value).startswith(message)


@pytest.mark.e2e
def test_the_cli_prints_one_line_and_no_traceback_for_a_bad_setting() -> None:
    result = run_cli("serve", env={"PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr == "serang-app: PORT: Expected `int`, got `str` (got 'eighty')\n"


@pytest.mark.e2e
def test_the_database_password_is_never_echoed() -> None:
    result = run_cli("migrate", "status", env={"DATABASE_URL": "mysql://admin:hunter2@db/x"})
    assert result.returncode == 2
    assert "hunter2" not in result.stderr


@pytest.mark.e2e
async def test_create_admin_stores_an_argon2id_hash(database_url: str) -> None:
    password = "kata-sandi-yang-panjang"
    result = run_cli(
        "create-admin",
        "--email",
        "Admin@SerangKab.go.id",
        "--name",
        "Admin Kominfo",
        env={"DATABASE_URL": database_url, "SERANG_ADMIN_PASSWORD": password, "SERANG_MODULES": "none"},
    )
    assert result.returncode == 0, result.stderr
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow("SELECT email, role, opd_code, password_hash FROM staff")
    finally:
        await connection.close()
    assert row is not None
    assert (row["email"], row["role"], row["opd_code"]) == ("admin@serangkab.go.id", "admin", "DISKOMINFOSATIK")
    assert row["password_hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(row["password_hash"], password)
    assert not PasswordHasher().check_needs_rehash(row["password_hash"])  # argon2-cffi's recommended costs

    again = run_cli(
        "create-admin",
        "--email",
        "admin@serangkab.go.id",
        "--name",
        "Again",
        env={"DATABASE_URL": database_url, "SERANG_ADMIN_PASSWORD": password, "SERANG_MODULES": "none"},
    )
    assert again.returncode == 2
    assert again.stderr == "serang-app: email: a staff account with this address already exists\n"


@pytest.mark.e2e
def test_create_admin_refuses_a_short_password(database_url: str) -> None:
    result = run_cli(
        "create-admin",
        "--email",
        "a@serangkab.go.id",
        "--name",
        "A",
        env={"DATABASE_URL": database_url, "SERANG_ADMIN_PASSWORD": "short"},
    )
    assert result.returncode == 2
    assert result.stderr == "serang-app: password: must be at least 12 characters\n"


@pytest.mark.e2e
def test_migrate_status_lists_each_file(database_url: str) -> None:
    result = run_cli("migrate", "status", env={"DATABASE_URL": database_url, "SERANG_MODULES": "none"})
    assert result.returncode == 0, result.stderr
    files = sorted(path.name for path in core_migrations_folder().glob("*.sql"))
    assert len(files) >= 4
    assert result.stdout.splitlines() == [f"applied  core/{name}" for name in files]
