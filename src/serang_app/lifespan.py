"""What the web process does when it starts and stops: database, migrations, catalogue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import structlog
from litestar import Litestar

from serang_app.app_state import identity_of, settings_of
from serang_app.catalogue.listening import catalogue_listener
from serang_app.catalogue.service import insert_declared_services
from serang_app.db.embedded import EmbeddedDatabase
from serang_app.db.migrations import CORE_NAMESPACE, MigrationSource, apply_migrations, core_migrations_folder
from serang_app.db.pool import Database, open_database
from serang_app.health.series import POOL_ACQUIRE_SECONDS
from serang_app.identity.deployment import service_title
from serang_app.module_system.offers import forget_offers_of_absent_modules
from serang_app.module_system.spec import ModuleSpec
from serang_app.notifications.delivery import Delivery
from serang_app.notifications.push import open_push_sender
from serang_app.regions.loading import ensure_region_loaded
from serang_app.settings import Settings
from serang_app.stats.time_zone import keep_region_time_zone
from serang_app.worker.context import WorkerContext
from serang_app.worker.runner import run_worker, worker_tasks

logger = structlog.get_logger("serang_app.lifespan")


def migration_sources(specs: Sequence[ModuleSpec]) -> list[MigrationSource]:
    """The core's migrations first, then each module's, in dependency order."""
    sources = [MigrationSource(CORE_NAMESPACE, core_migrations_folder())]
    sources.extend(MigrationSource(spec.slug, spec.migrations) for spec in specs if spec.migrations is not None)
    return sources


def database_lifespan(specs: Sequence[ModuleSpec]) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Opens the database the settings in the app's state name when it starts (app.py state_for)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings = settings_of(app.state)
        embedded: EmbeddedDatabase | None = None
        dsn = settings.database_url
        if dsn is None:
            # Reached only when an ASGI server loads the app directly; `serang-app serve` starts
            # the embedded server itself and passes its URL on.
            embedded = EmbeddedDatabase(settings.data_path)
            dsn = await asyncio.to_thread(embedded.start)
        try:
            if settings.migrate_on_start:
                applied = await apply_migrations(dsn, migration_sources(specs))
                if applied:
                    logger.info("migrations_applied", count=len(applied))
            database = await open_database(
                dsn,
                min_size=settings.db_pool_min,
                max_size=settings.db_pool_max,
                connect_timeout=settings.db_connect_timeout_seconds,
                acquire_timeout=settings.db_acquire_timeout_seconds,
                command_timeout=settings.db_command_timeout_seconds,
                observe_wait=POOL_ACQUIRE_SECONDS.observe,
            )
            app.state.database = database
            try:
                # Also with SERANG_MIGRATE_ON_START=false: a region switched by its setting alone
                # is loaded here; one query when it already is (regions/loading.py).
                async with database.acquire() as connection:
                    loaded = await ensure_region_loaded(connection, settings.region_code)
                if loaded:
                    logger.info("region_loaded", region_code=settings.region_code, rows=loaded)
                await keep_region_time_zone(database, settings.time_zone)
                await insert_declared_services(database, specs)
                await forget_offers_of_absent_modules(database, [spec.slug for spec in specs])
                async with (
                    _stats_database(settings, database, app),
                    catalogue_listener(
                        dsn, app.state.catalogue_cache, connect_timeout=settings.db_connect_timeout_seconds
                    ),
                    _background_worker(settings, database, app, specs),
                ):
                    yield
            finally:
                await database.close()
        finally:
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)

    return lifespan


@asynccontextmanager
async def _stats_database(settings: Settings, database: Database, app: Litestar) -> AsyncIterator[None]:
    """Statistics read from the replica when one is set (stats/sources.py), else from the primary."""
    if settings.database_replica_url is None:
        app.state.stats_database = database
        yield
        return
    # Reports are asked for now and then, by staff: a small pool is plenty.
    replica = await open_database(
        settings.database_replica_url,
        min_size=0,
        max_size=max(2, settings.db_pool_max // 2),
        connect_timeout=settings.db_connect_timeout_seconds,
        acquire_timeout=settings.db_acquire_timeout_seconds,
    )
    app.state.stats_database = replica
    try:
        yield
    finally:
        await replica.close()


@asynccontextmanager
async def _background_worker(
    settings: Settings, database: Database, app: Litestar, specs: Sequence[ModuleSpec]
) -> AsyncIterator[None]:
    """In development the web process also does the background work, so `make run` is complete."""
    if not settings.worker_in_process:
        yield
        return
    stop = asyncio.Event()
    sender = open_push_sender(settings)
    delivery = Delivery(
        sender=sender,
        texts=app.state.notification_texts,
        workflows=app.state.case_engine.workflows,
        public_base_url=settings.public_base_url,
        title=service_title(identity_of(app.state)),
    )
    context = WorkerContext(
        database=database, storage=app.state.storage, delivery=delivery, cases=app.state.case_engine
    )
    task = asyncio.create_task(run_worker(context, worker_tasks(specs), stop))
    try:
        yield
    finally:
        stop.set()
        await task
        sender.close()
