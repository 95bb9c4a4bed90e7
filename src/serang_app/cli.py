"""The `serang-app` command: serve, worker and the deployment's one-shot and health commands, migrate,
backup, nik, openapi, modules, new-module, create-admin."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import multiprocessing
import os
import shutil
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from serang_app.db.embedded import EmbeddedDatabase
from serang_app.db.migrations import apply_migrations, migration_status
from serang_app.logs import configure_logging
from serang_app.module_system.discovery import discover_modules
from serang_app.module_system.spec import ModuleCommandContext
from serang_app.scaffold import ScaffoldError, write_module
from serang_app.settings import Settings, SettingsError, load_settings
from serang_app.startup.failures import OPERATOR_ERRORS, StartupError, one_line

if TYPE_CHECKING:
    import asyncpg

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
DEFAULT_OPENAPI_PATH = Path("openapi/openapi.json")
# The listen queue of `serve`: connections the kernel holds until a worker accepts them.
LISTEN_BACKLOG = 4096


def _fail_cleanly(command: F) -> F:
    """Known start-up problems print one line naming the cause, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OPERATOR_ERRORS as error:
            click.echo(f"serang-app: {one_line(error)}", err=True)
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


class _WithModuleCommands(click.Group):
    """The core's commands, then those the enabled modules add (`ModuleSpec.commands`, such as
    `services`). Modules are loaded only for a name the core does not have, so the core's own
    commands never depend on a module loading."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._module_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._module_commands().get(cmd_name)

    def _module_commands(self) -> dict[str, click.Command]:
        from serang_app.app import load_modules

        try:
            specs = load_modules(_settings())
        except OPERATOR_ERRORS:
            return {}  # the core's commands name the problem (`serang-app modules`, `serve`)
        found: dict[str, click.Command] = {}
        for spec in specs:
            for command in spec.commands:
                name = command.name or ""
                if name in self.commands or name in found:
                    raise click.ClickException(f"module {spec.slug!r} adds the command {name!r}, which exists already")
                found[name] = command
        return found


@click.group(cls=_WithModuleCommands)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Backend of the public-service super-app of a regency or city (SERANG_REGION_CODE)."""
    ctx.obj = ModuleCommandContext(_run_on_database)


def _run_on_database(work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """For a module's command: `work` on the deployment's database."""
    from serang_app.db.pool import use_json_codecs

    async def with_codecs(connection: asyncpg.Connection) -> T:
        await use_json_codecs(connection)  # jsonb in and out as Python values, as the app's pool has them
        return await work(connection)

    settings = _settings()
    with _database_url(settings) as dsn:
        return asyncio.run(_on_connection(dsn, settings, with_codecs))


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
    from serang_app.regions.boundaries import region_area
    from serang_app.regions.loading import load_region
    from serang_app.startup.port import check_can_listen
    from serang_app.startup.report import first_report, startup_report

    specs = load_modules(settings)
    # Here as well as in each HTTP process, so that a missing boundary is said before anything starts.
    region_area(settings.region_code, settings.region_boundaries_dir)
    check_can_listen(settings.host, settings.port)
    with _database_url(settings) as dsn, startup_report() as report:
        if settings.migrate_on_start:
            asyncio.run(
                apply_migrations(dsn, migration_sources(specs), connect_timeout=settings.db_connect_timeout_seconds)
            )
            asyncio.run(load_region(dsn, settings.region_code, connect_timeout=settings.db_connect_timeout_seconds))
            # With the migrations, so that the processes that prepare the database check it: with
            # SERANG_MIGRATE_ON_START=false (compose's api) the `migrate` step has checked it.
            _refuse_unreadable_niks(dsn, settings)
        if not settings.is_production:
            _seed_demo_accounts(dsn)
        # The worker processes read the same environment: hand them the database we settled on,
        # and tell them the migrations are done.
        os.environ.update({"DATABASE_URL": dsn, "SERANG_MIGRATE_ON_START": "false"})
        server = Server(
            "serang_app.startup.served:served_app",
            factory=True,
            interface=Interfaces.ASGI,
            address=settings.host,
            port=settings.port,
            workers=settings.workers,
            # Connections, not requests (settings.connections_per_worker); the kernel's queue of
            # connections not yet accepted as deep as Linux allows by default (somaxconn 4096).
            backpressure=settings.connections_per_worker,
            backlog=LISTEN_BACKLOG,
            log_access=False,  # the app writes its own access line, with the request id
            # Granian's own lines go to the root logger, which renders them like ours (logs.py).
            log_dictconfig={"loggers": {"_granian": {"handlers": [], "propagate": True}}},
            respawn_failed_workers=True,
        )
        try:
            server.serve()
        except SystemExit as stopped:
            if not stopped.code:
                raise
            # granian gave up on worker processes that kept failing.
            raise StartupError(first_report(report) or "the HTTP worker processes kept failing (see the log)") from None
        # A worker that could not start stopped the server, saying why.
        reason = first_report(report)
        if reason is not None:
            raise StartupError(reason)


def _refuse_unreadable_niks(dsn: str, settings: Settings) -> None:
    """Stop before serving when stored NIKs need a key that is not configured, or not the one
    listed: serving would fail those residents, and an operator who took the key out might destroy
    its last copy believing it unused. One scan of the residents, with each migration run."""
    from serang_app.auth.keys import nik_vault
    from serang_app.residents.nik_rotation import key_problem, stored_versions

    problem = key_problem(asyncio.run(_on_connection(dsn, settings, stored_versions)), nik_vault(settings))
    if problem is not None:
        raise SettingsError(problem)


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
    from serang_app.cases.engine import case_engine_for
    from serang_app.cases.registry import WorkflowRegistry
    from serang_app.db.pool import open_database
    from serang_app.domains import CORE_DOMAINS
    from serang_app.health.series import POOL_ACQUIRE_SECONDS
    from serang_app.health.worker_endpoint import WorkerMetricsServer
    from serang_app.identity.deployment import deployment_identity, service_title
    from serang_app.notifications.delivery import Delivery
    from serang_app.notifications.push import open_push_sender
    from serang_app.notifications.texts import NotificationTexts
    from serang_app.startup.allocator import fix_mmap_threshold
    from serang_app.storage.factory import open_storage
    from serang_app.worker.context import WorkerContext
    from serang_app.worker.heartbeat import heartbeat_path
    from serang_app.worker.runner import run_worker, worker_tasks

    fix_mmap_threshold()  # as in the HTTP processes (startup/served.py): its free memory grew alike
    settings = _settings()
    specs = load_modules(settings)
    heartbeat = heartbeat_path(settings.data_path)
    try:
        heartbeat.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        click.echo(f"serang-app: SERANG_DATA_DIR: cannot create {heartbeat.parent}: {error.strerror}", err=True)
        sys.exit(2)

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
            texts=NotificationTexts(CORE_DOMAINS, specs),
            workflows=workflows,
            public_base_url=settings.public_base_url,
            title=service_title(deployment_identity(settings)),
        )
        context = WorkerContext(
            database=database,
            storage=open_storage(settings),
            delivery=delivery,
            cases=case_engine_for(workflows, settings.time_zone),
        )
        metrics_server = None
        if settings.worker_metrics_port is not None:
            metrics_server = WorkerMetricsServer(settings, settings.worker_metrics_port)
            metrics_server.start()
        try:
            await run_worker(context, worker_tasks(specs), stop, heartbeat)
        finally:
            if metrics_server is not None:
                metrics_server.close()
            sender.close()
            await database.close()

    with _database_url(settings) as dsn:
        asyncio.run(run(dsn))


@main.command("worker-health")
@click.option(
    "--max-late",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a task's next round may be overdue before the worker counts as stuck.",
)
@_fail_cleanly
def worker_health(max_late: float) -> None:
    """Exit 0 when this machine's `serang-app worker` loop is running (compose's health check), else 1."""
    from serang_app.worker.heartbeat import HeartbeatError, heartbeat_path, late_tasks

    path = heartbeat_path(_settings().data_path)
    try:
        late, count = late_tasks(path, max_late)
    except HeartbeatError as error:
        click.echo(f"serang-app: worker unhealthy: {error}", err=True)
        sys.exit(1)
    if late:
        named = ", ".join(f"{task.name} ({task.late_seconds:.0f} s)" for task in late)
        click.echo(f"serang-app: worker unhealthy: overdue by more than {max_late:g} s: {named}", err=True)
        sys.exit(1)
    click.echo(f"worker healthy: {count} tasks on time")


@main.command("create-bucket")
@_fail_cleanly
def create_bucket() -> None:
    """Create the S3 bucket uploads go to (S3_BUCKET) unless it exists; compose runs it once at start."""
    from botocore.exceptions import BotoCoreError, ClientError

    from serang_app.storage.s3 import S3Storage

    settings = _settings()
    if settings.s3_bucket is None:
        click.echo("serang-app: S3_BUCKET is not set: uploads are kept in a local folder, no bucket needed", err=True)
        sys.exit(2)
    storage = S3Storage(
        settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        path_style=settings.s3_force_path_style,
    )
    try:
        created = storage.ensure_bucket()
    except (BotoCoreError, ClientError) as error:
        click.echo(f"serang-app: cannot create bucket {settings.s3_bucket!r}: {error}", err=True)
        sys.exit(1)
    click.echo(f"{'created' if created else 'found'} bucket {settings.s3_bucket}")


@main.group()
def migrate() -> None:
    """Apply or inspect database migrations."""


@migrate.command("apply")
@_fail_cleanly
def migrate_apply() -> None:
    """Apply every pending migration, the core's first."""
    from serang_app.app import load_modules
    from serang_app.lifespan import migration_sources
    from serang_app.regions.loading import load_region
    from serang_app.regions.reference_data import DATA_VERSION

    settings = _settings()
    sources = migration_sources(load_modules(settings))
    with _database_url(settings) as dsn:
        applied = asyncio.run(apply_migrations(dsn, sources, connect_timeout=settings.db_connect_timeout_seconds))
        loaded = asyncio.run(
            load_region(dsn, settings.region_code, connect_timeout=settings.db_connect_timeout_seconds)
        )
        _refuse_unreadable_niks(dsn, settings)
    click.echo(f"applied {len(applied)} migration(s)" + "".join(f"\n  {label}" for label in applied))
    if loaded:
        click.echo(f"loaded region {settings.region_code}: {loaded} rows ({DATA_VERSION})")


@migrate.command("status")
@_fail_cleanly
def migrate_status() -> None:
    """List every migration and whether it is applied, pending, changed or missing."""
    from serang_app.app import load_modules
    from serang_app.lifespan import migration_sources

    settings = _settings()
    sources = migration_sources(load_modules(settings))
    with _database_url(settings) as dsn:
        states = asyncio.run(migration_status(dsn, sources, connect_timeout=settings.db_connect_timeout_seconds))
    for state in states:
        click.echo(f"{state.state:8} {state.namespace}/{state.name}")


@migrate.command("check")
@_fail_cleanly
def migrate_check() -> None:
    """Refuse migrations the running release could not work with (docs/deployment.md, zero downtime)."""
    from serang_app.app import load_modules
    from serang_app.db.migration_safety import check_sources
    from serang_app.lifespan import migration_sources

    count, unsafe = check_sources(migration_sources(load_modules(_settings())))
    for problem in unsafe:
        click.echo(str(problem), err=True)
    if unsafe:
        click.echo(
            f"{len(unsafe)} unsafe statement(s): add and backfill now, take away in a later release, "
            "in a file marked '-- contract: <why>' (docs/deployment.md, Upgrade)",
            err=True,
        )
        sys.exit(1)
    click.echo(f"{count} migration file(s) checked: each leaves a schema the running release works with")


@main.group()
def backup() -> None:
    """Back up the database and the uploads together, check a backup, restore one into an empty
    environment (docs/deployment.md, "Back up and restore")."""


_BACKUP_ENDPOINT = click.option(
    "--s3-endpoint-url",
    envvar="SERANG_BACKUP_S3_ENDPOINT_URL",
    help="Endpoint of an s3:// backup location (SERANG_BACKUP_S3_ENDPOINT_URL; unset: AWS S3).",
)


@backup.command("create")
@click.option("--to", "target", required=True, help="A new or empty folder, or s3://bucket/prefix.")
@_BACKUP_ENDPOINT
@_fail_cleanly
def backup_create(target: str, s3_endpoint_url: str | None) -> None:
    """Dump the database (pg_dump, custom format) and copy every stored upload to TARGET."""
    from serang_app.backup.locations import open_location
    from serang_app.backup.runs import create_backup, storage_tree

    settings = _settings()
    location = open_location(target, s3_endpoint_url=s3_endpoint_url, environ=os.environ)
    with _database_url(settings) as dsn:
        made = create_backup(dsn, storage_tree(settings), location)
    click.echo(f"backed up the database ({made.database_bytes} bytes) and {len(made.objects)} object(s) to {target}")


@backup.command("restore")
@click.option("--from", "source", required=True, help="A folder or s3://bucket/prefix made by `backup create`.")
@click.option("--database-url", help="The new, empty database (default: DATABASE_URL).")
@_BACKUP_ENDPOINT
@_fail_cleanly
def backup_restore(source: str, database_url: str | None, s3_endpoint_url: str | None) -> None:
    """Restore a backup into an empty database and the empty storage the settings name."""
    from serang_app.backup.locations import open_location
    from serang_app.backup.runs import restore_backup, storage_tree

    settings = _settings()
    location = open_location(source, s3_endpoint_url=s3_endpoint_url, environ=os.environ)
    with nullcontext(database_url) if database_url else _database_url(settings) as dsn:
        found = restore_backup(location, dsn, storage_tree(settings))
    click.echo(f"restored the database and {len(found.objects)} object(s) backed up at {found.created_at}")


@backup.command("verify")
@click.option("--from", "source", required=True, help="A folder or s3://bucket/prefix made by `backup create`.")
@_BACKUP_ENDPOINT
@_fail_cleanly
def backup_verify(source: str, s3_endpoint_url: str | None) -> None:
    """Check every checksum of a backup and read its dump's table of contents."""
    from serang_app.backup.locations import open_location
    from serang_app.backup.runs import verify_backup

    found = verify_backup(open_location(source, s3_endpoint_url=s3_endpoint_url, environ=os.environ))
    click.echo(f"{source}: whole; made at {found.created_at}, {len(found.objects)} object(s)")


@main.command()
@click.option("--output", type=click.Path(path_type=Path), default=DEFAULT_OPENAPI_PATH, show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the file differs from what the code generates.")
@_fail_cleanly
def openapi(output: Path, check: bool) -> None:
    """Write the OpenAPI document generated from the code."""
    from serang_app.app import create_app
    from serang_app.http.openapi_document import render_openapi

    document = render_openapi(create_app(_settings()))
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


@main.command("api-compat")
@click.option("--released", type=click.Path(path_type=Path), default="openapi/released/v1.json", show_default=True)
@click.option("--current", type=click.Path(path_type=Path), default=DEFAULT_OPENAPI_PATH, show_default=True)
@click.option("--declared", type=click.Path(path_type=Path), default="openapi/breaking-changes.toml", show_default=True)
@click.option("--release", "cut_release", is_flag=True, help="Make the current document the released one.")
@_fail_cleanly
def api_compat(released: Path, current: Path, declared: Path, cut_release: bool) -> None:
    """Exit 1 on a breaking change to /v1 since the released document that is not declared."""
    from serang_app.api_compat.declared import DeclarationError, check, release

    if cut_release:
        release(current, released, declared)
        click.echo(f"{current} copied to {released}; {declared} emptied for the next release")
        return
    try:
        verdict = check(released, current, declared)
    except DeclarationError as error:
        click.echo(f"serang-app: {error}", err=True)
        sys.exit(2)
    for change in verdict.declared:
        click.echo(f"declared: {change}")
    for change in verdict.stale:
        click.echo(f"declared but not found in {current} (remove it when no longer needed): {change}", err=True)
    if verdict.undeclared:
        for change in verdict.undeclared:
            click.echo(f"breaking: {change}", err=True)
        click.echo(f"declare each in {declared} or undo it (docs/api-compatibility.md)", err=True)
        sys.exit(1)
    click.echo(f"{current}: no undeclared breaking change to /v1 since {released}")


@main.command("problem-codes")
@click.option("--check", is_flag=True, help="Exit 1 if the registry differs from what the code gives.")
@_fail_cleanly
def problem_codes(check: bool) -> None:
    """Write docs/problem-codes.md, the registry of every problem code the API answers."""
    from serang_app.api_compat.problem_codes import REGISTRY_PATH, render_registry

    registry = render_registry()
    if check:
        if not REGISTRY_PATH.exists() or REGISTRY_PATH.read_text(encoding="utf-8") != registry:
            click.echo(f"{REGISTRY_PATH} is stale: run `serang-app problem-codes` and commit the result", err=True)
            sys.exit(1)
        click.echo(f"{REGISTRY_PATH} is up to date")
        return
    REGISTRY_PATH.write_text(registry, encoding="utf-8")
    click.echo(f"wrote {REGISTRY_PATH}")


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


@main.group()
def opds() -> None:
    """The agencies (OPD) of the region (docs/identity.md, "Agencies")."""


@opds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--keep-others",
    is_flag=True,
    help="Leave agencies the file does not list as they are (by default they are closed).",
)
@_fail_cleanly
def opds_import(file: Path, keep_others: bool) -> None:
    """Add or update the agencies of a CSV file (code,short_name,name), closing the others.

    A file with a bad row changes nothing: every bad row is named on a line of its own."""
    from serang_app.opds.csv_import import AgencyFileError, import_agencies, read_agencies

    try:
        agencies = read_agencies(file.read_text(encoding="utf-8"))
    except (AgencyFileError, UnicodeDecodeError) as error:
        problems = error.problems if isinstance(error, AgencyFileError) else ["the file is not UTF-8 text"]
        for problem in problems:
            click.echo(f"serang-app: {file}: {problem}", err=True)
        sys.exit(2)
    settings = _settings()
    with _database_url(settings) as dsn:
        result = asyncio.run(
            _on_connection(dsn, settings, lambda c: import_agencies(c, agencies, close_others=not keep_others))
        )
    click.echo(json.dumps(dataclasses.asdict(result)))


@main.group()
def nik() -> None:
    """Stored NIKs and the versions of their encryption key (docs/deployment.md, "Rotate keys")."""


@nik.command("status")
@_fail_cleanly
def nik_status() -> None:
    """Count the stored NIKs under each key version; exit 1 when the keys cannot read them all."""
    from serang_app.auth.keys import nik_vault
    from serang_app.residents.nik_rotation import key_problem, stored_versions

    settings = _settings()
    vault = nik_vault(settings)
    with _database_url(settings) as dsn:
        stored = asyncio.run(_on_connection(dsn, settings, stored_versions))
    for version in sorted(vault.key_versions | set(stored), reverse=True):
        role = "encrypts" if version == vault.key_version else "decrypts" if version in vault.key_versions else "no key"
        click.echo(f"v{version:<4} {role:9} {stored[version].niks if version in stored else 0} NIK(s)")
    problem = key_problem(stored, vault)
    if problem is not None:
        click.echo(f"serang-app: {problem}", err=True)
        sys.exit(1)


@nik.command("rotate")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
@_fail_cleanly
def nik_rotate(batch_size: int) -> None:
    """Re-encrypt every NIK under an older key version with the first of SERANG_NIK_ENCRYPTION_KEYS.

    Safe while the app runs, and resumable: run it again after an interruption.
    """
    from serang_app.auth.keys import nik_vault
    from serang_app.residents.nik_rotation import RotationResult, key_problem, rotate, stored_versions

    settings = _settings()
    vault = nik_vault(settings)

    async def run(connection: asyncpg.Connection) -> RotationResult:
        stored = await stored_versions(connection)
        problem = key_problem(stored, vault)
        if problem is not None:
            raise SettingsError(problem)
        if not stored:  # no NIK yet, or a database the migrations have not reached
            return RotationResult(reencrypted=0, unreadable=0, left=0)
        return await rotate(
            connection,
            vault,
            batch_size=batch_size,
            progress=lambda done: click.echo(f"re-encrypted {done} NIK(s) so far"),
        )

    with _database_url(settings) as dsn:
        result = asyncio.run(_on_connection(dsn, settings, run))
    click.echo(f"re-encrypted {result.reencrypted} NIK(s) to key version v{vault.key_version}; {result.left} left")
    if result.unreadable:
        click.echo(
            f"serang-app: {result.unreadable} NIK(s) do not decrypt with the key of their version "
            "(altered in the database?) and were left as they were",
            err=True,
        )
    if result.left > result.unreadable:
        click.echo("serang-app: some NIKs were held by requests throughout; run it again", err=True)
    sys.exit(1 if result.left else 0)


async def _on_connection(dsn: str, settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    import asyncpg

    from serang_app.db.unavailable import connecting

    async with connecting(dsn, settings.db_connect_timeout_seconds):
        connection = await asyncpg.connect(dsn, timeout=settings.db_connect_timeout_seconds)
    try:
        return await work(connection)
    finally:
        await connection.close()
