"""Production's secrets: the keys it refuses, `serang-app secrets`, and compose.yaml holding none."""

from __future__ import annotations

import base64
import re
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from serang_app.auth.key_material import DEVELOPMENT_PURPOSES, development_secret
from serang_app.auth.keys import new_compose_secrets, new_secrets
from serang_app.settings import SettingsError, load_settings
from tests.support.database import PROJECT_ROOT
from tests.support.processes import run_cli

COMPOSE_FILE = PROJECT_ROOT / "compose.yaml"
CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")

# The values compose.yaml supplied until issue 18 (and so published to anyone who read it). They
# stay here as the evidence that production refuses them; the app itself keeps only fingerprints.
COMPOSE_TRIAL_KEYS = {
    "SERANG_JWT_KEYS": "trial:CO9nc/uAtC61Jde+HWnUF2p4dWSNpqaaKchYAu0Xthk=",
    "SERANG_NIK_ENCRYPTION_KEY": "F25H++iFGthaTVWyvhhq73rwKKZaV8HbPKEfbDJcp5s=",
    "SERANG_NIK_INDEX_KEY": "IyidwazGHy0gEy1x4Ee8s8O/BrSB3nLM2kbEYdzv2Mg=",
}
# Variables that hold a secret by their name; compose may only require them, never default them.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|ROOT_USER")
# Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error},
# ${NAME:+other}, ${NAME+other}, and $NAME; `$$` is a literal dollar sign.
INTERPOLATION = re.compile(
    r"\$(?:\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


# Where production finds its database and where phones reach it: required, and not secrets.
PRODUCTION_PLACES = {
    "DATABASE_URL": "postgresql://serang@db/serang",
    "SERANG_PUBLIC_URL": "https://layanan.serangkab.go.id",
}


def production(**keys: str) -> dict[str, str]:
    """A production environment with fresh keys, some replaced by ``keys``."""
    fresh = new_secrets()
    if "SERANG_NIK_ENCRYPTION_KEY" in keys:  # the single key of before versions, instead of the list
        del fresh["SERANG_NIK_ENCRYPTION_KEYS"]
    return {"SERANG_ENV": "production", **PRODUCTION_PLACES, **fresh, **keys}


def refusal(environ: Mapping[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    return str(raised.value)


def key(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(("variable", "value"), COMPOSE_TRIAL_KEYS.items())
def test_production_refuses_each_key_compose_published(variable: str, value: str) -> None:
    message = refusal(production(**{variable: value}))
    assert message.startswith(f"{variable}: ")
    assert "has been published" in message
    assert value.rpartition(":")[2] not in message  # the key itself never reaches a log


def test_a_published_key_kept_only_for_verifying_is_refused_too() -> None:
    fresh = new_secrets()["SERANG_JWT_KEYS"]
    message = refusal(production(SERANG_JWT_KEYS=f"{fresh},{COMPOSE_TRIAL_KEYS['SERANG_JWT_KEYS']}"))
    assert message.startswith("SERANG_JWT_KEYS: key 'trial' has been published")


@pytest.mark.parametrize("purpose", DEVELOPMENT_PURPOSES)
@pytest.mark.parametrize(
    "variable", ["SERANG_NIK_ENCRYPTION_KEY", "SERANG_NIK_INDEX_KEY", "SERANG_STORAGE_SIGNING_KEY"]
)
def test_production_refuses_the_development_stand_ins(variable: str, purpose: str) -> None:
    assert refusal(production(**{variable: development_secret(purpose)})).startswith(f"{variable}: this key has been")


def test_production_refuses_the_fixed_keys_the_tests_once_used() -> None:
    for filler in (b"1", b"2", b"x"):
        message = refusal(production(SERANG_JWT_KEYS=f"k1:{key(filler * 32)}"))
        assert message.startswith("SERANG_JWT_KEYS: key 'k1' has been published")


@pytest.mark.e2e
def test_no_file_of_the_repository_holds_a_key_production_would_accept() -> None:
    """Any 32-byte base64 value committed from now on is published: its fingerprint must be refused."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True, text=True
    ).stdout
    seen, accepted = set(), []
    for name in filter(None, tracked.split("\0")):
        path = PROJECT_ROOT / name
        if name == "uv.lock" or not path.is_file():  # uv.lock: package hashes, in hexadecimal
            continue
        for found in re.findall(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=", path.read_text("utf-8", errors="ignore")):
            seen.add(found)
            try:
                load_settings(production(SERANG_NIK_INDEX_KEY=found))
            except SettingsError:
                continue
            accepted.append(f"{name}: {found[:6]}...")
    assert accepted == []
    assert {value.rpartition(":")[2] for value in COMPOSE_TRIAL_KEYS.values()} <= seen  # in this very file


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SERANG_JWT_KEYS", f"k1:{key(secrets.token_bytes(16))}", "SERANG_JWT_KEYS: key 'k1' must be 32 bytes"),
        ("SERANG_NIK_ENCRYPTION_KEY", key(secrets.token_bytes(16)), "SERANG_NIK_ENCRYPTION_KEY: expected 32"),
        (
            "SERANG_NIK_INDEX_KEY",
            key(secrets.token_bytes(31)),
            "SERANG_NIK_INDEX_KEY: expected 32 random bytes, got 31",
        ),
        ("SERANG_STORAGE_SIGNING_KEY", key(secrets.token_bytes(24)), "SERANG_STORAGE_SIGNING_KEY: expected 32"),
        ("SERANG_NIK_INDEX_KEY", "not base64!", "SERANG_NIK_INDEX_KEY: expected base64 of 32 random bytes"),
    ],
    # Named, not shown: a random key in a test's id would differ between pytest-xdist's processes.
    ids=["jwt", "nik encryption", "nik index", "storage signing", "nik index not base64"],
)
def test_production_refuses_a_key_too_short(variable: str, value: str, message: str) -> None:
    assert refusal(production(**{variable: value})).startswith(message)


def test_production_refuses_one_key_for_two_purposes() -> None:
    shared = key(secrets.token_bytes(32))
    cases = [
        ({"SERANG_NIK_ENCRYPTION_KEY": shared, "SERANG_NIK_INDEX_KEY": shared}, "SERANG_NIK_INDEX_KEY"),
        ({"SERANG_JWT_KEYS": f"k1:{shared}", "SERANG_NIK_ENCRYPTION_KEY": shared}, "SERANG_NIK_ENCRYPTION_KEY"),
        ({"SERANG_JWT_KEYS": f"k1:{shared}", "SERANG_NIK_INDEX_KEY": shared}, "SERANG_NIK_INDEX_KEY"),
        ({"SERANG_NIK_INDEX_KEY": shared, "SERANG_STORAGE_SIGNING_KEY": shared}, "SERANG_STORAGE_SIGNING_KEY"),
    ]
    for keys, variable in cases:
        message = refusal(production(**keys))
        assert message.startswith(f"{variable}: this key is the same as ")
        assert message.endswith("every purpose needs its own key")
    two_kids = refusal(production(SERANG_JWT_KEYS=f"new:{shared},old:{shared}"))
    assert (
        two_kids
        == "SERANG_JWT_KEYS: key 'old' is the same as key 'new' of SERANG_JWT_KEYS; every purpose needs its own key"
    )


@pytest.mark.e2e
def test_the_cli_stops_with_one_line_for_a_published_key() -> None:
    result = run_cli("serve", env=production(SERANG_NIK_INDEX_KEY=COMPOSE_TRIAL_KEYS["SERANG_NIK_INDEX_KEY"]))
    assert result.returncode == 2
    assert result.stderr == (
        "serang-app: SERANG_NIK_INDEX_KEY: this key has been published, so anyone may hold it; "
        "make new ones with `serang-app secrets`\n"
    )


def test_development_still_runs_with_the_trial_keys() -> None:
    settings = load_settings(COMPOSE_TRIAL_KEYS)
    assert not settings.is_production


def env_lines(text: str) -> dict[str, str]:
    pairs = (line.partition("=") for line in text.splitlines() if line and not line.startswith("#"))
    return {name: value for name, _, value in pairs}


@pytest.mark.e2e
def test_fresh_secrets_from_the_cli_are_accepted() -> None:
    result = run_cli("secrets")
    assert result.returncode == 0, result.stderr
    made = env_lines(result.stdout)
    assert set(made) == set(new_secrets()) | set(new_compose_secrets())
    assert len(set(made.values())) == len(made)
    settings = load_settings({"SERANG_ENV": "production", **PRODUCTION_PLACES, **made})
    assert settings.jwt_keys == made["SERANG_JWT_KEYS"]
    assert settings.metrics_token == made["SERANG_METRICS_TOKEN"]


@pytest.mark.e2e
def test_secrets_write_an_env_file_only_its_owner_reads(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    written = run_cli("secrets", "--write", str(env_file))
    assert written.returncode == 0, written.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    first = env_file.read_text(encoding="utf-8")
    assert set(env_lines(first)) == set(new_secrets()) | set(new_compose_secrets())

    again = run_cli("secrets", "--write", str(env_file))
    assert again.returncode == 2
    assert again.stderr == f"serang-app: {env_file} exists; keep it, or pass --force to replace it\n"
    assert env_file.read_text(encoding="utf-8") == first

    env_file.chmod(0o644)
    forced = run_cli("secrets", "--write", str(env_file), "--force")
    assert forced.returncode == 0, forced.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    replaced = env_lines(env_file.read_text(encoding="utf-8"))
    assert set(replaced) == set(env_lines(first))
    assert not set(replaced.values()) & set(env_lines(first).values())

    nowhere = run_cli("secrets", "--write", str(tmp_path / "missing" / ".env"))
    assert nowhere.returncode == 2
    assert nowhere.stderr == f"serang-app: cannot write {tmp_path / 'missing' / '.env'}: No such file or directory\n"


@pytest.mark.e2e
def test_the_env_file_is_never_committed() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_ROOT, check=False)
    assert ignored.returncode == 0


# compose.yaml


def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


def interpolations(text: str) -> Iterator[re.Match[str]]:
    for part in text.split("$$"):  # `$$` escapes a dollar sign for the container's shell
        yield from INTERPOLATION.finditer(part)


def secret_defaults(text: str) -> list[str]:
    """Every way the compose file supplies a secret instead of requiring it from the operator."""
    secret_names = set(new_secrets()) | set(new_compose_secrets())
    problems = []
    for match in interpolations(text):
        name = match["name"] or match["bare"]
        if (SECRET_NAME.search(name) or name in secret_names) and match["op"] not in (":?", "?"):
            problems.append(f"{match[0]}: a secret must be required (${{{name}:?...}}), never defaulted")
    for service, environment in service_environments(YAML(typ="safe").load(text)):
        for variable, value in environment.items():
            if SECRET_NAME.search(variable) and not re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)):
                problems.append(f"{service}: {variable} is written in the file instead of required")
    return problems


def service_environments(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for service, definition in document["services"].items():
        environment = definition.get("environment") or {}
        if isinstance(environment, list):  # the NAME=value list form
            environment = dict(entry.partition("=")[::2] for entry in environment)
        yield service, environment


def test_compose_supplies_no_secret() -> None:
    assert secret_defaults(compose_text()) == []


@pytest.mark.parametrize(
    ("original", "replacement"),
    [
        ("${SERANG_NIK_INDEX_KEY:?run serang-app secrets --write .env}", "${SERANG_NIK_INDEX_KEY:-c29tZS1rZXk=}"),
        ("${POSTGRES_PASSWORD:?run serang-app secrets --write .env}", "${POSTGRES_PASSWORD}"),
        (
            "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?run serang-app secrets --write .env}",
            "      POSTGRES_PASSWORD: x",
        ),
    ],
)
def test_the_compose_check_catches_a_secret_default(original: str, replacement: str) -> None:
    text = compose_text()
    assert original in text
    assert secret_defaults(text.replace(original, replacement, 1)) != []


@pytest.mark.e2e
def test_compose_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.e2e
def test_the_written_env_file_starts_the_compose_app_in_production(tmp_path: Path) -> None:
    """Every variable compose requires is in the trial .env, and the app accepts what compose passes it."""
    env_file = tmp_path / ".env"
    assert run_cli("secrets", "--write", str(env_file)).returncode == 0
    values = env_lines(env_file.read_text(encoding="utf-8"))
    text = compose_text()
    required = {match["name"] for match in interpolations(text) if match["op"] in (":?", "?")}
    assert required <= set(values)

    def interpolate(value: object) -> str:
        def one(match: re.Match[str]) -> str:
            name = match["name"] or match["bare"]
            if name in values:
                return values[name] if match["op"] not in (":+", "+") else match["arg"]
            return match["arg"] if match["op"] in (":-", "-") else ""

        return "$".join(INTERPOLATION.sub(one, part) for part in str(value).split("$$"))

    environments = dict(service_environments(YAML(typ="safe").load(text)))
    for service in ("migrate", "api", "worker"):
        environment = {name: interpolate(value) for name, value in environments[service].items()}
        settings = load_settings(environment)
        assert settings.is_production, service
        assert settings.metrics_token == values["SERANG_METRICS_TOKEN"]
