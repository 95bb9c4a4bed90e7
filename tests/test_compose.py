"""compose.yaml and its Caddyfile as the production shape: read as compose and Caddy read them, and run.

No Docker engine is needed: the file is interpolated as compose does, the Caddyfile is adapted and
served by the very Caddy release compose pins, and the app's one-shots run as real processes.
"""

from __future__ import annotations

import json
import re
import ssl
import subprocess
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from serang_app.auth.keys import new_compose_secrets, new_secrets
from serang_app.settings import load_settings
from tests.support.app_server import running_app
from tests.support.compose import (
    CADDY,
    CADDYFILE,
    adapted_caddyfile,
    caddy_environment,
    compose,
    run_caddy,
    site_handlers,
)
from tests.support.database import PROJECT_ROOT
from tests.support.object_store import S3_CREDENTIALS, moto_server, s3_keys
from tests.support.processes import free_port, run_cli, stop

# What `serang-app secrets --write .env` gives a trial: every variable compose requires.
TRIAL = {**new_secrets(), **new_compose_secrets()}
# A real deployment's .env adds its domain, its ACME e-mail and the Firebase files.
PRODUCTION = {
    **TRIAL,
    "SERANG_DOMAIN": "layanan.serangkab.go.id",
    "SERANG_TLS": "ops@serangkab.go.id",
    "FIREBASE_PROJECT_ID": "serang-super-app",
    "FIREBASE_SERVICE_ACCOUNT_FILE": "./secrets/firebase-service-account.json",
    "FCM_SERVICE_ACCOUNT_FILE": "./secrets/fcm-service-account.json",
}
APP_SERVICES = ("create-bucket", "migrate", "api", "worker")
PATIENCE_SECONDS = 60.0


def services(values: dict[str, str] = TRIAL) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose(values)["services"]
    return found


def project_version() -> str:
    version: str = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    return version


def test_every_image_names_its_version() -> None:
    for name, service in services().items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert "/" not in tag, f"{name}: {image} has no tag"
        assert re.match(r"v?\d+(\.\d+)+", tag), f"{name}: {image} is not pinned to a version"  # `latest` is not
        if "build" in service:
            assert image == built_image(service["build"]), name


def built_image(build: dict[str, Any] | str) -> str:
    """The name an image built here carries: the app by the project's version, the database by the
    PostgreSQL release its Dockerfile starts from."""
    context = build if isinstance(build, str) else build["context"]
    if Path(context).resolve() == PROJECT_ROOT:
        return f"serang-app:{project_version()}"
    base = re.search(
        r"^ARG POSTGRES_IMAGE=postgres:(\S+)-\w+$", (PROJECT_ROOT / "deploy/postgres/Dockerfile").read_text(), re.M
    )
    assert base is not None, "deploy/postgres/Dockerfile names its PostgreSQL image"
    return f"serang-postgres:{base.group(1)}-pgbackrest"


@pytest.mark.e2e
def test_the_caddy_image_is_the_release_the_tests_run() -> None:
    version = subprocess.run([CADDY, "version"], capture_output=True, text=True, check=True).stdout.split()[0]
    assert services()["caddy"]["image"] == f"caddy:{version.removeprefix('v')}-alpine"


def test_only_the_proxy_publishes_ports() -> None:
    published = {name: service["ports"] for name, service in services().items() if "ports" in service}
    assert published == {"caddy": ["80:80", "443:443", "443:443/udp"]}
    assert "container_name" not in services()["api"]  # a fixed name would stop `--scale api=N`


def test_every_service_has_a_health_check_or_is_a_one_shot_the_others_wait_for() -> None:
    everything = services()
    one_shots = {name for name, service in everything.items() if service["restart"] == "no"}
    assert one_shots == {"create-bucket", "migrate"}
    for name, service in everything.items():
        if name in one_shots:
            assert service["healthcheck"] == {"disable": True}, name
        else:
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    for name in ("api", "worker"):
        waits_for = everything[name]["depends_on"]
        assert {one_shot: waits_for[one_shot]["condition"] for one_shot in one_shots} == dict.fromkeys(
            one_shots, "service_completed_successfully"
        )
    assert everything["worker"]["healthcheck"]["test"] == ["CMD", "serang-app", "worker-health", "--max-late", "60"]
    assert "/readyz" in everything["api"]["healthcheck"]["test"][-1]


def test_every_service_has_memory_and_cpu_limits() -> None:
    for name, service in services().items():
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0, name
        assert re.fullmatch(r"\d+[MG]", limits["memory"]), name


def as_mounted(environment: dict[str, Any], secrets_folder: Path) -> dict[str, str]:
    """A service's environment as the app reads it in its container, where compose has mounted each
    secret at /run/secrets/<name>: here a file of that name in `secrets_folder` (the app checks at
    start that a credential file it is given can be read)."""
    seen: dict[str, str] = {}
    for key, value in environment.items():
        text = str(value)
        if text.startswith("/run/secrets/"):
            mounted = secrets_folder / text.removeprefix("/run/secrets/")
            mounted.write_text("{}", encoding="utf-8")
            text = str(mounted)
        seen[key] = text
    return seen


def test_firebase_and_fcm_files_are_mounted_where_the_app_looks(tmp_path: Path) -> None:
    document = compose(PRODUCTION)
    for name in ("api", "worker"):
        service = document["services"][name]
        environment = service["environment"]
        for variable, file_variable in (
            ("FIREBASE_CREDENTIALS_FILE", "FIREBASE_SERVICE_ACCOUNT_FILE"),
            ("FCM_CREDENTIALS_FILE", "FCM_SERVICE_ACCOUNT_FILE"),
        ):
            # Compose mounts a secret at /run/secrets/<its name>.
            secret = environment[variable].removeprefix("/run/secrets/")
            assert secret in service["secrets"], (name, variable)
            assert document["secrets"][secret] == {"file": PRODUCTION[file_variable]}
        settings = load_settings(as_mounted(environment, tmp_path))
        assert settings.firebase_project_id == "serang-super-app"
        assert settings.push_backend == "fcm"


def test_without_the_firebase_files_sign_in_and_push_are_off_not_broken() -> None:
    document = compose(TRIAL)
    assert {secret["file"] for secret in document["secrets"].values()} == {"/dev/null"}
    for name in ("api", "worker"):
        environment = {key: str(value) for key, value in document["services"][name]["environment"].items()}
        settings = load_settings(environment)
        # No project: POST /v1/auth/firebase answers 503 (docs/deployment.md says so to the operator).
        assert settings.firebase_project_id is None
        assert settings.firebase_credentials_file is None
        assert settings.push_backend == "log"


def test_the_app_believes_forwarded_addresses_from_the_edge_network_only() -> None:
    for values in (TRIAL, {**TRIAL, "SERANG_EDGE_SUBNET": "10.77.0.0/24"}):
        document = compose(values)
        subnet = document["networks"]["edge"]["ipam"]["config"][0]["subnet"]
        assert subnet == values.get("SERANG_EDGE_SUBNET", "172.30.89.0/24")
        on_edge = {name for name, service in document["services"].items() if "edge" in service["networks"]}
        assert on_edge == {"caddy", "api", "s3"}
        for name in APP_SERVICES:
            assert document["services"][name]["environment"]["SERANG_TRUSTED_PROXIES"] == subnet


def test_public_urls_name_the_hosts_caddy_serves(tmp_path: Path) -> None:
    for values in (TRIAL, PRODUCTION):
        document = compose(values)
        domain = values.get("SERANG_DOMAIN", "localhost")
        caddy = document["services"]["caddy"]
        config = adapted_caddyfile(caddy_environment(tmp_path, **caddy["environment"]))
        proxies = site_handlers(config)
        assert set(proxies) == {domain, f"media.{domain}"}
        for name in APP_SERVICES:
            environment = document["services"][name]["environment"]
            settings = load_settings(as_mounted(environment, tmp_path))
            assert settings.public_base_url == f"https://{domain}"
            assert settings.s3_public_endpoint_url == f"https://media.{domain}"

        # The upstreams are the services by their compose names, on the ports they listen on.
        api = proxies[domain]["dynamic_upstreams"]
        assert (api["source"], api["name"], api["port"]) == ("a", "api", "8000")
        assert proxies[f"media.{domain}"]["upstreams"] == [{"dial": "s3:8333"}]
        assert "-s3.port=8333" in document["services"]["s3"]["command"]
        assert document["services"]["create-bucket"]["environment"]["S3_ENDPOINT_URL"] == "http://s3:8333"
        assert caddy["volumes"][0] == "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro"


@pytest.mark.e2e
@pytest.mark.parametrize("tls", ["internal", "ops@serangkab.go.id"])
def test_caddy_validates_the_caddyfile_in_both_tls_modes(tmp_path: Path, tls: str) -> None:
    env = caddy_environment(tmp_path, SERANG_DOMAIN="layanan.serangkab.go.id", SERANG_TLS=tls)
    result = run_caddy("validate", "--config", str(CADDYFILE), "--adapter", "caddyfile", env=env)
    assert result.returncode == 0, result.stderr
    issuers = adapted_caddyfile(env)["apps"]["tls"]["automation"]["policies"][0]["issuers"]
    if tls == "internal":
        assert [issuer["module"] for issuer in issuers] == ["internal"]
    else:
        # Let's Encrypt first, ZeroSSL's ACME endpoint should it fail: both know the operator.
        assert [(issuer["module"], issuer.get("ca"), issuer["email"]) for issuer in issuers] == [
            ("acme", None, tls),
            ("acme", "https://acme.zerossl.com/v2/DV90", tls),
        ]


# Caddy serving, in front of the real app


class _EchoHeaders(BaseHTTPRequestHandler):
    """Answers with the request's headers: what the S3 server would be given."""

    def do_GET(self) -> None:
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def echo_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def on_this_machine(config: dict[str, Any], api_port: int, media_port: int) -> tuple[dict[str, Any], int, int]:
    """The adapted configuration with local ports and upstreams instead of compose's, nothing else."""
    https_port, health_port = free_port(), free_port()
    http = config["apps"]["http"]
    http["https_port"] = https_port
    for server in http["servers"].values():
        if server["listen"] == [":443"]:
            server["listen"] = [f"127.0.0.1:{https_port}"]
            server["automatic_https"] = {"disable_redirects": True}  # no listener on port 80
        else:
            server["listen"] = [f"127.0.0.1:{health_port}"]
    for handler in site_handlers(config).values():
        if "dynamic_upstreams" in handler:
            handler["dynamic_upstreams"].update(name="localhost", port=str(api_port))
        else:
            handler["upstreams"] = [{"dial": f"127.0.0.1:{media_port}"}]
    return config, https_port, health_port


@contextmanager
def running_caddy(config: dict[str, Any], env: dict[str, str], tmp_path: Path, health_port: int) -> Iterator[None]:
    config_file = tmp_path / "caddy.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    with (tmp_path / "caddy.log").open("wb") as log:
        process = subprocess.Popen([CADDY, "run", "--config", str(config_file)], env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + PATIENCE_SECONDS
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{health_port}/", timeout=1).text == "ok":
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, (tmp_path / "caddy.log").read_text(errors="replace")
                assert time.monotonic() < deadline, (tmp_path / "caddy.log").read_text(errors="replace")
                time.sleep(0.2)
            yield
        finally:
            stop(process)


def _once_certificates_are_issued(client: httpx.Client, url: str) -> httpx.Response:
    """GET `url` once Caddy serves its certificates. Caddy answers its health port before its
    internal CA has issued the site's certificates (issuance runs in the background after start);
    until then a TLS handshake ends in an alert. On a slow machine that took longer than one
    request's chance, so the handshake is retried for the start's patience."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        try:
            return client.get(url)
        except httpx.ConnectError as error:
            if "TLSV1_ALERT_INTERNAL_ERROR" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.e2e
def test_a_trial_is_served_over_tls_by_caddy_in_front_of_the_app(database_url: str, tmp_path: Path) -> None:
    env = caddy_environment(tmp_path, SERANG_DOMAIN="localhost", SERANG_TLS="internal")
    with running_app(database_url, tmp_path / "app.log") as app_url, echo_server() as media_port:
        api_port = urlsplit(app_url).port
        assert api_port is not None
        config, https_port, health_port = on_this_machine(adapted_caddyfile(env), api_port, media_port)
        with running_caddy(config, env, tmp_path, health_port):
            # Trusting Caddy's local CA, as a trial's phone is told to: the certificate verifies.
            root = tmp_path / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
            trust = ssl.create_default_context(cafile=str(root))
            with httpx.Client(verify=trust, timeout=10) as client:
                assert (
                    _once_certificates_are_issued(client, f"https://localhost:{https_port}/readyz").status_code == 200
                )
                services_page = client.get(f"https://localhost:{https_port}/v1/services")
                assert services_page.status_code == 200, services_page.text

                # The S3 name: the Host a presigned URL was signed for reaches the S3 server as it
                # was sent, and a client's own X-Forwarded-For is replaced by its real address.
                media = client.get(
                    f"https://127.0.0.1:{https_port}/serang-media/photo.jpg",
                    headers={"Host": f"media.localhost:{https_port}", "X-Forwarded-For": "203.0.113.9"},
                    extensions={"sni_hostname": "media.localhost"},
                )
                assert media.status_code == 200, media.text
                seen = {name.lower(): value for name, value in media.json().items()}
                assert seen["host"] == f"media.localhost:{https_port}"
                assert seen["x-forwarded-for"] == "127.0.0.1"
                assert seen["x-forwarded-proto"] == "https"

            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                httpx.get(f"https://localhost:{https_port}/readyz")  # the public CAs do not know it


# The one-shot that makes the bucket


@pytest.mark.e2e
def test_create_bucket_makes_the_bucket_once() -> None:
    with moto_server() as endpoint:
        env = {**S3_CREDENTIALS, "S3_BUCKET": "serang-media", "S3_ENDPOINT_URL": endpoint, "S3_FORCE_PATH_STYLE": "1"}
        # The last line: the log lines before it (JSON) are boto3's.
        first = run_cli("create-bucket", env=env)
        assert (first.returncode, first.stdout.splitlines()[-1]) == (0, "created bucket serang-media"), first.stderr
        again = run_cli("create-bucket", env=env)
        assert (again.returncode, again.stdout.splitlines()[-1]) == (0, "found bucket serang-media"), again.stderr
        assert s3_keys(endpoint, "serang-media") == []


@pytest.mark.e2e
def test_create_bucket_says_in_one_line_why_it_cannot() -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    env = {**S3_CREDENTIALS, "S3_BUCKET": "serang-media", "S3_ENDPOINT_URL": unreachable}
    result = run_cli("create-bucket", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("serang-app: cannot create bucket 'serang-media': Could not connect")
    assert result.stderr.count("\n") == 1

    local = run_cli("create-bucket", env={"S3_BUCKET": ""})
    assert local.returncode == 2
    assert local.stderr == ("serang-app: S3_BUCKET is not set: uploads are kept in a local folder, no bucket needed\n")
