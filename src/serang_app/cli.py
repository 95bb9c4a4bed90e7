"""The `serang-app` command: serve, worker, migrate, openapi, modules, new-module, create-admin."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from serang_app.db.embedded import EmbeddedDatabase
from serang_app.db.migrations import MigrationError, apply_migrations, migration_status
from serang_app.logs import configure_logging
from serang_app.module_system.discovery import ModuleError, discover_modules
from serang_app.scaffold import ScaffoldError, write_module
from serang_app.settings import Settings, SettingsError, load_settings

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_OPENAPI_PATH = Path("openapi/openapi.json")


def _fail_cleanly(command: F) -> F:
    """Known start-up problems print one line naming the cause, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (SettingsError, ModuleError, MigrationError) as error:
            click.echo(f"serang-app: {error}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _settings(**overrides: Any) -> Settings:
    environ = dict(os.environ)
    names = {"host": "SERANG_HOST", "port": "PORT", "workers": "SERANG_WORKERS"}
    environ.update({names[key]: str(value) for key, value in overrides.items() if value is not None})
    settings = load_settings(environ)
    configure_logging(settings.log_level, settings.log_format)
    return settings


@contextmanager
def _database_url(settings: Settings) -> Iterator[str]:
    """The configured database, or the embedded one started for the duration of the block."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    embedded = EmbeddedDatabase(settings.data_path)
    click.echo(f"serang-app: starting the embedded PostgreSQL in {settings.data_dir}/postgres", err=True)
    try:
        yield embedded.start()
    finally:
        embedded.stop()


@click.group()
def main() -> None:
    """Backend of the Kabupaten Serang public-service super-app."""


@main.command()
@click.option("--host", help="Address to listen on (SERANG_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (PORT, default 8000).")
@click.option("--workers", type=int, help="Worker processes (SERANG_WORKERS, default 1).")
@_fail_cleanly
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API (with the embedded database when DATABASE_URL is unset)."""
    settings = _settings(host=host, port=port, workers=workers)
    if settings.workers > 1:
        _share_metrics_between_processes(settings.data_path)  # before the app's modules are imported

    from granian.constants import Interfaces
    from granian.server import Server

    from serang_app.app import load_modules
    from serang_app.lifespan import migration_sources

    specs = load_modules(settings)
    with _database_url(settings) as dsn:
        if settings.migrate_on_start:
            asyncio.run(apply_migrations(dsn, migration_sources(specs)))
        if not settings.is_production:
            _seed_demo_accounts(dsn)
        # The worker processes read the same environment: hand them the database we settled on,
        # and tell them the migrations are done.
        os.environ.update({"DATABASE_URL": dsn, "SERANG_MIGRATE_ON_START": "false"})
        Server(
            "serang_app.asgi:app_from_environment",
            factory=True,
            interface=Interfaces.ASGI,
            address=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_access=False,  # the app writes its own access line, with the request id
            # Granian's own lines go to the root logger, which renders them like ours (logs.py).
            log_dictconfig={"loggers": {"_granian": {"handlers": [], "propagate": True}}},
            respawn_failed_workers=True,
        ).serve()


def _seed_demo_accounts(dsn: str) -> None:
    from serang_app.staff.demo_accounts import DEMO_PASSWORD, demo_email, seed_demo_accounts

    asyncio.run(seed_demo_accounts(dsn))
    click.echo(
        f"serang-app: development mode; demo staff accounts, password {DEMO_PASSWORD!r}: "
        f"{demo_email('admin')}, and for each agency {demo_email('officer', 'CODE')} and "
        f"{demo_email('supervisor', 'CODE')} (code in lower case, e.g. {demo_email('officer', 'DPUPR')})",
        err=True,
    )


def _share_metrics_between_processes(data_dir: Path) -> None:
    folder = (data_dir / "prometheus").resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # prometheus-client chooses where samples live (memory or this folder) when it is imported,
    # and granian forks its workers from this process: had this process imported it already, the
    # workers would inherit the in-memory choice and keep their samples to themselves. serve()
    # calls this first; should a change import it earlier, spawned workers import it afresh (slower
    # to start, still right). tests/test_metrics_access.py serves with two workers.
    if "prometheus_client" in sys.modules:
        multiprocessing.set_start_method("spawn", force=True)


@main.command()
@_fail_cleanly
def worker() -> None:
    """Run background work until SIGINT or SIGTERM."""
    from serang_app.app import load_modules
    from serang_app.cases.engine import CaseEngine
    from serang_app.cases.registry import WorkflowRegistry
    from serang_app.db.pool import open_database
    from serang_app.health.series import POOL_ACQUIRE_SECONDS
    from serang_app.health.worker_endpoint import WorkerMetricsServer
    from serang_app.notifications.delivery import Delivery
    from serang_app.notifications.push import open_push_sender
    from serang_app.notifications.texts import NotificationTexts
    from serang_app.storage.factory import open_storage
    from serang_app.worker.runner import WorkerContext, run_worker, worker_tasks

    settings = _settings()
    specs = load_modules(settings)

    async def run(dsn: str) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        database = await open_database(
            dsn,
            min_size=1,
            max_size=settings.db_pool_max,
            connect_timeout=settings.db_connect_timeout_seconds,
            observe_wait=POOL_ACQUIRE_SECONDS.observe,
        )
        sender = open_push_sender(settings)
        workflows = WorkflowRegistry(specs)
        delivery = Delivery(
            sender=sender,
            texts=NotificationTexts(specs),
            workflows=workflows,
            public_base_url=settings.public_base_url,
        )
        context = WorkerContext(
            database=database, storage=open_storage(settings), delivery=delivery, cases=CaseEngine(workflows)
        )
        metrics_server = None
        if settings.worker_metrics_port is not None:
            metrics_server = WorkerMetricsServer(settings, settings.worker_metrics_port)
            metrics_server.start()
        try:
            await run_worker(context, worker_tasks(specs), stop)
        finally:
            if metrics_server is not None:
                metrics_server.close()
            sender.close()
            await database.close()

    with _database_url(settings) as dsn:
        asyncio.run(run(dsn))


@main.group()
def migrate() -> None:
    """Apply or inspect database migrations."""


@migrate.command("apply")
@_fail_cleanly
def migrate_apply() -> None:
    """Apply every pending migration, the core's first."""
    from serang_app.app import load_modules
    from serang_app.lifespan import migration_sources

    settings = _settings()
    sources = migration_sources(load_modules(settings))
    with _database_url(settings) as dsn:
        applied = asyncio.run(apply_migrations(dsn, sources))
    click.echo(f"applied {len(applied)} migration(s)" + "".join(f"\n  {label}" for label in applied))


@migrate.command("status")
@_fail_cleanly
def migrate_status() -> None:
    """List every migration and whether it is applied, pending, changed or missing."""
    from serang_app.app import load_modules
    from serang_app.lifespan import migration_sources

    settings = _settings()
    sources = migration_sources(load_modules(settings))
    with _database_url(settings) as dsn:
        states = asyncio.run(migration_status(dsn, sources))
    for state in states:
        click.echo(f"{state.state:8} {state.namespace}/{state.name}")


@main.command()
@click.option("--output", type=click.Path(path_type=Path), default=DEFAULT_OPENAPI_PATH, show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the file differs from what the code generates.")
@_fail_cleanly
def openapi(output: Path, check: bool) -> None:
    """Write the OpenAPI document generated from the code."""
    from serang_app.http.openapi_document import render_openapi

    document = render_openapi(_settings())
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != document:
            click.echo(f"{output} is stale: run `make openapi` and commit the result", err=True)
            sys.exit(1)
        click.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    click.echo(f"wrote {output}")


@main.command()
@_fail_cleanly
def modules() -> None:
    """List the modules found through entry points and whether each is enabled."""
    settings = _settings()
    found = discover_modules(settings.enabled_module_slugs)
    if not found:
        click.echo("no modules installed")
    for module in found:
        state = "error" if module.error else "enabled" if module.enabled else "disabled"
        version = module.spec.version if module.spec else "-"
        name = module.spec.name if module.spec else ""
        line = f"{module.name:16} {state:8} {version:10} {module.distribution:28} {name}"
        click.echo(line.rstrip() + (f"\n  {module.error}" if module.error else ""))


@main.command("new-module")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where the package folder serang-NAME is written.",
)
@click.option("--opd", default="DISKOMINFOSATIK", show_default=True, help="The agency that owns its service.")
@click.option("--prefix", help="Its reference numbers' prefix, 2-5 capital letters (default: from NAME).")
def new_module(name: str, directory: Path, opd: str, prefix: str | None) -> None:
    """Write a working module package to start from (docs/writing-a-module.md)."""
    try:
        target = write_module(name, directory, opd_code=opd, prefix=prefix)
    except ScaffoldError as error:
        click.echo(f"serang-app: {error}", err=True)
        sys.exit(2)
    click.echo(f"wrote {target}")
    click.echo(f"next: pip install -e '{target}[test]' && (cd {target} && pytest); then restart the app")


@main.command()
@click.option(
    "--write",
    "env_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write them to this file, readable by its owner only (for a trial: .env beside compose.yaml).",
)
@click.option("--force", is_flag=True, help="Replace the file given to --write when it exists.")
def secrets(env_file: Path | None, force: bool) -> None:
    """Fresh secrets for production: the app's and those of the services compose.yaml runs.

    Printed as environment lines for your secret store, or written to a file with --write.
    """
    from serang_app.auth.keys import new_compose_secrets, new_secrets

    lines = [f"{name}={value}" for name, value in {**new_secrets(), **new_compose_secrets()}.items()]
    if env_file is None:
        click.echo("\n".join(lines))
        return
    try:
        _write_private_file(env_file, [_ENV_FILE_HEADER, *lines], replace=force)
    except FileExistsError:
        click.echo(f"serang-app: {env_file} exists; keep it, or pass --force to replace it", err=True)
        sys.exit(2)
    except OSError as error:
        click.echo(f"serang-app: cannot write {env_file}: {error.strerror}", err=True)
        sys.exit(2)
    click.echo(f"wrote {env_file} (mode 0600)")


_ENV_FILE_HEADER = (
    "# Secrets made by `serang-app secrets`; never commit this file (docs/deployment.md).\n"
    "# Compose reads it from beside compose.yaml; each value is needed by the app or a service."
)


def _write_private_file(path: Path, lines: list[str], *, replace: bool) -> None:
    """Write lines to a file only its owner can read, refusing an existing file unless replace."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    descriptor = os.open(path, flags, 0o600)
    # A replaced file keeps its old mode, and a new one's is narrowed by the umask: set it outright,
    # before any secret is written.
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


@main.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(envvar="SERANG_ADMIN_PASSWORD", help="Prompted for when not in SERANG_ADMIN_PASSWORD.")
@_fail_cleanly
def create_admin(email: str, name: str, password: str) -> None:
    """Create a Diskominfosatik administrator who can sign in to the admin API."""
    from serang_app.staff.accounts import StaffAccountError, create_admin_account

    settings = _settings()
    with _database_url(settings) as dsn:
        try:
            stored = asyncio.run(create_admin_account(dsn, email=email, name=name, password=password))
        except StaffAccountError as error:
            click.echo(f"serang-app: {error}", err=True)
            sys.exit(2)
    click.echo(json.dumps({"created": "admin", "email": stored}))
