"""Settings read from the environment once, at start-up.

Every setting has one environment variable. A bad value raises ``SettingsError`` whose message is
one line naming the variable, so the CLI can print it and stop without a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import msgspec

from serang_app.auth.key_material import UnsafeKeyError, nik_encryption_keys, refuse_unsafe_production_keys
from serang_app.http.client_address import Network, parse_networks
from serang_app.http.text import DISPLAY_NAME, PLAIN_TEXT
from serang_app.identity.logo import LOGO_SIGNATURES
from serang_app.regions.reference_data import DECREE, regencies
from serang_app.regions.time_zones import UnknownProvinceError, time_zone_of_region

Environment = Literal["development", "production"]
LogFormat = Literal["json", "console"]

# The regency this service was built for (Kabupaten Serang): the one place its code is written,
# allowed by tests/test_no_region_in_code.py.
DEFAULT_REGION = "36.04"

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the environment variable."""


class Settings(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    env: Environment = "development"
    database_url: str | None = None
    # A read replica for the statistics (stats/sources.py); the primary when unset.
    database_replica_url: str | None = None
    data_dir: str = "var"
    host: str = "127.0.0.1"
    port: Port = 8000
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    # Connections each HTTP worker process admits at once, idle keep-alive ones included: granian's
    # `backpressure` budgets accepted connections, not requests, and its default (the listen
    # backlog, 1024, over the workers) left the peak-hour load's 4,594 phones queueing in the
    # kernel for 11 s (docs/performance.md, "The steady peak was queueing for a connection").
    connections_per_worker: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 4096
    # Comma-separated slugs, "all" for every installed module, or "none".
    modules: str = "all"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: LogFormat = "json"
    access_log: bool = True
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    # Requests per minute per signed-in account, else per client address, counted by each process;
    # 0 turns the limiter off.
    rate_limit_per_minute: NonNegativeInt = 600
    # Writes (POST, PUT, PATCH, DELETE) per minute, counted in PostgreSQL so that every process and
    # replica shares them: per signed-in account, and per client address on public routes (sign-in,
    # Open311). 0 turns a limit off. docs/architecture.md, "Limits".
    rate_limit_writes_per_minute: NonNegativeInt = 60
    rate_limit_public_writes_per_minute: NonNegativeInt = 20
    # Proxies whose X-Forwarded-For names the client (comma-separated CIDR networks); none by default.
    trusted_proxies: str = ""
    db_pool_min: NonNegativeInt = 1
    db_pool_max: Annotated[int, msgspec.Meta(ge=1, le=200)] = 10
    db_connect_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 5.0
    # A request waits this long for a pooled connection, and each statement this long, before
    # it answers 503: a database that stops answering must not hold requests (docs/architecture.md).
    db_acquire_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 5.0
    db_command_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 10.0
    # A request with an Idempotency-Key is cut off (503) after this long, so a claim older than
    # this belongs to a request that is over, and a retry takes it over (http/idempotency.py).
    idempotency_lease_seconds: Annotated[float, msgspec.Meta(ge=1, le=600)] = 30.0
    migrate_on_start: bool = True
    # Background work (push, sweeps) runs inside the web process unless a separate
    # `serang-app worker` does it; production runs it separately.
    run_worker_in_process: bool | None = None
    catalogue_cache_seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 5.0
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_force_path_style: bool = False
    # The endpoint phones reach, when it differs from the one the app uses (compose's S3 server is
    # http://s3:8333 to the app, https://media.<domain> through Caddy to a phone).
    s3_public_endpoint_url: str | None = None
    # Signs the local storage backend's URLs (base64 of 32 bytes); unused with S3.
    storage_signing_key: str | None = None
    # Uploads a resident may have started and not completed at once.
    max_pending_uploads: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 10
    # Processes per web process that check uploaded files, one file each at a time (uploads/check_pool.py).
    upload_check_processes: Annotated[int, msgspec.Meta(ge=1, le=16)] = 1
    # Completions that may wait for a check per web process; past them, 503 with Retry-After.
    upload_check_queue: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 32
    fcm_credentials_file: str | None = None
    # FCM's send URL with {0} for the project id; only for tests and staging stand-ins.
    fcm_api_url: str | None = None
    # Where phones, printed permits and other systems reach this service
    # (https://layanan.serangkab.go.id): every absolute URL the app hands out starts with it, never
    # with the request's Host. Required in production; http://127.0.0.1:{port} in development.
    public_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/?#@]+(/[^\s?#]*)?$")] | None = None
    # Access tokens: Ed25519 keys as "kid:base64-of-32-byte-seed", comma-separated. The first
    # signs; all verify, so a retiring key stays listed until its last token has expired.
    jwt_keys: str | None = None
    access_token_seconds: Annotated[int, msgspec.Meta(ge=60, le=3600)] = 900
    refresh_token_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 60
    # A phone that lost the answer to a refresh may retry with the previous token this long.
    refresh_grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=300)] = 30
    # NIK encryption (AES-GCM) and blind-index (HMAC) keys: base64 of 32 bytes each. The
    # encryption keys are versioned, "v2:base64,v1:base64": the first encrypts, all decrypt
    # (docs/deployment.md, "Rotate keys"). The single key is the form before versions: version 1.
    nik_encryption_keys: str | None = None
    nik_encryption_key: str | None = None
    nik_index_key: str | None = None
    firebase_project_id: str | None = None
    firebase_credentials_file: str | None = None
    firebase_certificates_url: str | None = None
    firebase_auth_api_url: str | None = None
    staff_max_failed_sign_ins: Annotated[int, msgspec.Meta(ge=1, le=100)] = 5
    staff_lockout_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)] = 15
    # The bearer token GET /metrics asks for (health/metrics.py). Unset: open in development,
    # 404 in production.
    metrics_token: str | None = None
    # Where `serang-app worker` serves its own /metrics (same token rule), on SERANG_HOST; unset: none.
    worker_metrics_port: Port | None = None
    # OpenTelemetry tracing (health/tracing.py): the standard variable, but off unless it names an
    # exporter (the SDK's own default would be otlp). Comma-separated: otlp, console, none.
    otel_traces_exporter: str = "none"
    # The share of requests traced (the standard variable, read as a ratio from 0 to 1).
    otel_traces_sampler_arg: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0
    # The regency or city this deployment serves, by its Kemendagri code: its name, districts,
    # villages and boundary follow from it (docs/regions.md), and its province decides the time
    # zone of working days, slots and monthly figures (docs/time-zones.md).
    region_code: Annotated[str, msgspec.Meta(pattern=r"^\d{2}\.\d{2}$")] = DEFAULT_REGION
    # A folder of GeoJSON boundary files read before the shipped ones, for a region the app ships
    # no boundary for (docs/regions.md, "Boundaries").
    region_boundaries_dir: str | None = None
    # The service definitions published at start-up when their code is missing (docs/services.md,
    # "Seeds"): "shipped" (the app's own folder), "none", or a folder of definition files (another
    # region's own set).
    service_seeds: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)] = "shipped"
    # The deployment's identity (identity/deployment.py, docs/identity.md): unset, each follows
    # from the region's Kepmendagri name ("Pemerintah Kota Cilegon"); the letterhead of every PDF,
    # the app's configuration and Open311's discovery carry it.
    deployment_name: Annotated[str, msgspec.Meta(pattern=DISPLAY_NAME, max_length=120)] | None = None
    deployment_address: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, max_length=200)] | None = None
    deployment_contact: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, max_length=200)] | None = None
    deployment_logo_url: Annotated[str, msgspec.Meta(pattern=r"^https://[^\s]{1,300}$")] | None = None
    # A PNG or JPEG file the letterhead of every PDF shows at its left (pdf/letterhead.py).
    deployment_logo_file: str | None = None

    @property
    def data_path(self) -> Path:
        """Where development data lives: the embedded database, local uploads."""
        return Path(self.data_dir)

    @property
    def time_zone(self) -> ZoneInfo:
        """The region's zone: Asia/Jakarta (WIB), Asia/Pontianak (WIB), Asia/Makassar (WITA) or
        Asia/Jayapura (WIT)."""
        return time_zone_of_region(self.region_code)

    @property
    def trusted_proxy_networks(self) -> list[Network]:
        return parse_networks(self.trusted_proxies)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def storage_backend(self) -> Literal["local", "s3"]:
        return "s3" if self.s3_bucket else "local"

    @property
    def push_backend(self) -> Literal["log", "fcm"]:
        return "fcm" if self.fcm_credentials_file else "log"

    @property
    def public_base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def worker_in_process(self) -> bool:
        if self.run_worker_in_process is None:
            return not self.is_production
        return self.run_worker_in_process

    @property
    def trace_exporters(self) -> tuple[str, ...]:
        """The span exporters asked for; empty when tracing is off."""
        names = (name.strip() for name in self.otel_traces_exporter.split(","))
        return tuple(name for name in names if name and name != "none")

    @property
    def enabled_module_slugs(self) -> frozenset[str] | None:
        """The allowlist, or None when every installed module is enabled."""
        if self.modules.strip() == "all":
            return None
        if self.modules.strip() == "none":
            return frozenset()
        return frozenset(slug.strip() for slug in self.modules.split(",") if slug.strip())


# Each field's environment variable. The common names (PORT, DATABASE_URL) are the ones
# platforms such as Heroku-style hosts and compose files set; the rest carry the SERANG_ prefix.
ENV_NAMES: dict[str, str] = {
    "env": "SERANG_ENV",
    "database_url": "DATABASE_URL",
    "database_replica_url": "DATABASE_REPLICA_URL",
    "data_dir": "SERANG_DATA_DIR",
    "host": "SERANG_HOST",
    "port": "PORT",
    "workers": "SERANG_WORKERS",
    "connections_per_worker": "SERANG_CONNECTIONS_PER_WORKER",
    "modules": "SERANG_MODULES",
    "log_level": "SERANG_LOG_LEVEL",
    "log_format": "SERANG_LOG_FORMAT",
    "access_log": "SERANG_ACCESS_LOG",
    "max_body_bytes": "SERANG_MAX_BODY_BYTES",
    "rate_limit_per_minute": "SERANG_RATE_LIMIT_PER_MINUTE",
    "rate_limit_writes_per_minute": "SERANG_RATE_LIMIT_WRITES_PER_MINUTE",
    "rate_limit_public_writes_per_minute": "SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE",
    "trusted_proxies": "SERANG_TRUSTED_PROXIES",
    "db_pool_min": "SERANG_DB_POOL_MIN",
    "db_pool_max": "SERANG_DB_POOL_MAX",
    "db_connect_timeout_seconds": "SERANG_DB_CONNECT_TIMEOUT_SECONDS",
    "db_acquire_timeout_seconds": "SERANG_DB_ACQUIRE_TIMEOUT_SECONDS",
    "db_command_timeout_seconds": "SERANG_DB_COMMAND_TIMEOUT_SECONDS",
    "idempotency_lease_seconds": "SERANG_IDEMPOTENCY_LEASE_SECONDS",
    "migrate_on_start": "SERANG_MIGRATE_ON_START",
    "run_worker_in_process": "SERANG_RUN_WORKER_IN_PROCESS",
    "catalogue_cache_seconds": "SERANG_CATALOGUE_CACHE_SECONDS",
    "s3_bucket": "S3_BUCKET",
    "s3_endpoint_url": "S3_ENDPOINT_URL",
    "s3_region": "S3_REGION",
    "s3_force_path_style": "S3_FORCE_PATH_STYLE",
    "s3_public_endpoint_url": "S3_PUBLIC_ENDPOINT_URL",
    "storage_signing_key": "SERANG_STORAGE_SIGNING_KEY",
    "max_pending_uploads": "SERANG_MAX_PENDING_UPLOADS",
    "upload_check_processes": "SERANG_UPLOAD_CHECK_PROCESSES",
    "upload_check_queue": "SERANG_UPLOAD_CHECK_QUEUE",
    "fcm_credentials_file": "FCM_CREDENTIALS_FILE",
    "fcm_api_url": "FCM_API_URL",
    "public_url": "SERANG_PUBLIC_URL",
    "jwt_keys": "SERANG_JWT_KEYS",
    "access_token_seconds": "SERANG_ACCESS_TOKEN_SECONDS",
    "refresh_token_days": "SERANG_REFRESH_TOKEN_DAYS",
    "refresh_grace_seconds": "SERANG_REFRESH_GRACE_SECONDS",
    "nik_encryption_keys": "SERANG_NIK_ENCRYPTION_KEYS",
    "nik_encryption_key": "SERANG_NIK_ENCRYPTION_KEY",
    "nik_index_key": "SERANG_NIK_INDEX_KEY",
    "firebase_project_id": "FIREBASE_PROJECT_ID",
    "firebase_credentials_file": "FIREBASE_CREDENTIALS_FILE",
    "firebase_certificates_url": "FIREBASE_CERTIFICATES_URL",
    "firebase_auth_api_url": "FIREBASE_AUTH_API_URL",
    "staff_max_failed_sign_ins": "SERANG_STAFF_MAX_FAILED_SIGN_INS",
    "staff_lockout_minutes": "SERANG_STAFF_LOCKOUT_MINUTES",
    "metrics_token": "SERANG_METRICS_TOKEN",
    "worker_metrics_port": "SERANG_WORKER_METRICS_PORT",
    "otel_traces_exporter": "OTEL_TRACES_EXPORTER",
    "otel_traces_sampler_arg": "OTEL_TRACES_SAMPLER_ARG",
    "region_code": "SERANG_REGION_CODE",
    "region_boundaries_dir": "SERANG_REGION_BOUNDARIES_DIR",
    "service_seeds": "SERANG_SERVICE_SEEDS",
    "deployment_name": "SERANG_DEPLOYMENT_NAME",
    "deployment_address": "SERANG_DEPLOYMENT_ADDRESS",
    "deployment_contact": "SERANG_DEPLOYMENT_CONTACT",
    "deployment_logo_url": "SERANG_DEPLOYMENT_LOGO_URL",
    "deployment_logo_file": "SERANG_DEPLOYMENT_LOGO_FILE",
}
TRACE_EXPORTERS = frozenset({"otlp", "console"})

# Secrets that production must be given, each from one of the fields of its group (the first
# named when none is set); development derives stand-ins (auth/key_material.py).
PRODUCTION_SECRETS = (("jwt_keys",), ("nik_encryption_keys", "nik_encryption_key"), ("nik_index_key",))
# Keys production checks before it starts: none published, too short or serving two purposes.
PRODUCTION_KEYS = ("jwt_keys", "nik_encryption_keys", "nik_encryption_key", "nik_index_key", "storage_signing_key")

_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
_FIELD_IN_ERROR = re.compile(r"at `\$\.(\w+)`")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from the environment, or raise SettingsError naming the bad variable."""
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for field, env_name in ENV_NAMES.items():
        value = environ.get(env_name)
        if value is None or value == "":
            continue
        if field in {"access_log", "migrate_on_start", "run_worker_in_process", "s3_force_path_style"}:
            if value.lower() not in _BOOL_WORDS:
                raise SettingsError(f"{env_name}: expected true or false, got {value!r}")
            raw[field] = _BOOL_WORDS[value.lower()]
        else:
            raw[field] = value
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(_describe(error, raw)) from None
    _check_consistency(settings)
    return settings


def _describe(error: msgspec.ValidationError, raw: Mapping[str, object]) -> str:
    message = str(error)
    match = _FIELD_IN_ERROR.search(message)
    if not match:
        return f"invalid settings: {message}"
    field = match.group(1)
    reason = _FIELD_IN_ERROR.sub("", message).strip(" -")
    return f"{ENV_NAMES[field]}: {reason} (got {raw.get(field)!r})"


def _check_consistency(settings: Settings) -> None:
    if settings.is_production and settings.uses_embedded_database:
        raise SettingsError(
            "DATABASE_URL: required when SERANG_ENV=production (the embedded database is for development only)"
        )
    if settings.is_production:
        for fields in PRODUCTION_SECRETS:
            if all(getattr(settings, field) is None for field in fields):
                raise SettingsError(f"{ENV_NAMES[fields[0]]}: required when SERANG_ENV=production")
    _check_nik_encryption_keys(settings)
    if settings.is_production:
        try:
            refuse_unsafe_production_keys({ENV_NAMES[field]: getattr(settings, field) for field in PRODUCTION_KEYS})
        except UnsafeKeyError as problem:
            raise SettingsError(str(problem)) from None
    if settings.is_production and settings.storage_backend == "local" and settings.storage_signing_key is None:
        raise SettingsError(
            "SERANG_STORAGE_SIGNING_KEY: required when SERANG_ENV=production stores uploads locally (S3_BUCKET unset)"
        )
    _check_public_url(settings)
    _check_credential_files(settings)
    for field in ("database_url", "database_replica_url"):
        url = getattr(settings, field)
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            raise SettingsError(f"{ENV_NAMES[field]}: expected a postgresql:// URL")
    # Checked here rather than by a msgspec constraint, whose message would quote the token.
    if settings.metrics_token is not None and not re.fullmatch(r"[!-~]{32,}", settings.metrics_token):
        raise SettingsError(
            "SERANG_METRICS_TOKEN: expected 32 or more visible ASCII characters (serang-app secrets makes one)"
        )
    try:
        settings.trusted_proxy_networks  # noqa: B018 (parsed here so a bad entry stops start-up)
    except ValueError as error:
        raise SettingsError(f"SERANG_TRUSTED_PROXIES: {error}") from None
    unknown_exporters = set(settings.trace_exporters) - TRACE_EXPORTERS
    if unknown_exporters:
        raise SettingsError(
            f"OTEL_TRACES_EXPORTER: expected otlp, console or none, got {settings.otel_traces_exporter!r}"
        )
    try:
        settings.time_zone  # noqa: B018 (a province that does not exist stops start-up)
    except UnknownProvinceError as error:
        raise SettingsError(f"SERANG_REGION_CODE: {error}") from None
    _check_region(settings)
    _check_logo_file(settings)
    if settings.db_pool_min > settings.db_pool_max:
        raise SettingsError("SERANG_DB_POOL_MIN: must not exceed SERANG_DB_POOL_MAX")
    slugs = settings.enabled_module_slugs
    if slugs is not None and any(not re.fullmatch(r"[a-z][a-z0-9_]{1,30}", slug) for slug in slugs):
        raise SettingsError(
            f"SERANG_MODULES: expected 'all', 'none' or comma-separated module slugs, got {settings.modules!r}"
        )


def _check_nik_encryption_keys(settings: Settings) -> None:
    """One of the two variables, never both: which key encrypts must not depend on a precedence rule."""
    if settings.nik_encryption_keys is not None and settings.nik_encryption_key is not None:
        raise SettingsError(
            "SERANG_NIK_ENCRYPTION_KEY: set only SERANG_NIK_ENCRYPTION_KEYS, with this key as its entry v1"
        )
    if settings.nik_encryption_keys is not None:
        try:
            nik_encryption_keys(settings.nik_encryption_keys)
        except UnsafeKeyError as problem:
            raise SettingsError(str(problem)) from None


def _check_public_url(settings: Settings) -> None:
    """Production names its public origin, over https: it is printed on permits and cached by
    proxies. Plain http is accepted for a loopback address only (a trial on one machine)."""
    if not settings.is_production:
        return
    if settings.public_url is None:
        raise SettingsError("SERANG_PUBLIC_URL: required when SERANG_ENV=production (the https:// origin phones reach)")
    parts = urlsplit(settings.public_url)
    if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise SettingsError(f"SERANG_PUBLIC_URL: must be https:// in production, got {settings.public_url!r}")


def _check_credential_files(settings: Settings) -> None:
    """A credential mounted as a file (a compose or Kubernetes secret) is read later, by the first
    push or sign-in; a missing mount is said now, at start-up, naming its variable."""
    for field in ("fcm_credentials_file", "firebase_credentials_file"):
        path = getattr(settings, field)
        if path is not None and not os.access(path, os.R_OK):
            problem = "cannot be read" if os.path.exists(path) else "no such file"
            raise SettingsError(f"{ENV_NAMES[field]}: {problem}: {path}")


def _check_region(settings: Settings) -> None:
    """The region must be a regency or city of the shipped list; its boundary is checked when the
    app is built (regions/boundaries.py), as it takes reading the GeoJSON."""
    if settings.region_code not in regencies():
        raise SettingsError(
            f"SERANG_REGION_CODE: {settings.region_code} is not a regency or city code of {DECREE} (e.g. {DEFAULT_REGION})"
        )
    folder = settings.region_boundaries_dir
    if folder is not None and not os.path.isdir(folder):
        raise SettingsError(f"SERANG_REGION_BOUNDARIES_DIR: no such folder: {folder}")


def _check_logo_file(settings: Settings) -> None:
    """The letterhead's logo is read when the app is built; a missing or unusable file is said
    now, naming its variable, rather than by the first PDF."""
    path = settings.deployment_logo_file
    if path is None:
        return
    try:
        with open(path, "rb") as logo:
            head = logo.read(8)
    except OSError as error:
        raise SettingsError(f"SERANG_DEPLOYMENT_LOGO_FILE: cannot be read: {path} ({error.strerror})") from None
    if not head.startswith(LOGO_SIGNATURES):
        raise SettingsError(f"SERANG_DEPLOYMENT_LOGO_FILE: expected a PNG or JPEG file: {path}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
