from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.db.migrations import apply_migrations
from serang_app.db.pool import Database, open_database
from serang_app.lifespan import migration_sources
from serang_app.module_system.spec import ModuleSpec
from serang_app.regions.loading import load_region
from serang_app.settings import DEFAULT_REGION, Settings, load_settings
from tests.support.app_shelf import AppShelf
from tests.support.database import EMBEDDED_FOLDER, TestServer
from tests.support.fake_google import FakeGoogle
from tests.support.later_drops import LaterDrops
from tests.support.object_store import moto_server
from tests.support.ordering import spread
from tests.support.reused_databases import ReusedDatabases
from tests.support.templates import Templates


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests (the longest) spread over the pytest-xdist processes' first shares, each
    share starting with its own (tests/support/ordering.py): a long test started last would keep
    one process busy after the others have finished. Every process sees the same count, so all
    collect the same order, as xdist requires."""
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = spread(items, processes, is_long=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def test_server() -> Iterator[TestServer]:
    # Under pytest-xdist each worker process has its own session: when no server answers and the
    # embedded one is the fallback, each keeps its data in a folder of its own, since two servers
    # must never share one.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    server = TestServer(EMBEDDED_FOLDER / worker if worker else EMBEDDED_FOLDER)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def later_drops(test_server: TestServer) -> Iterator[LaterDrops]:
    """Drops each test's database after the test, without the test waiting for it."""
    drops = LaterDrops(test_server)
    yield drops
    drops.finish()


@pytest.fixture(scope="session")
def reused_databases(test_server: TestServer, later_drops: LaterDrops) -> Iterator[ReusedDatabases]:
    """Tests' databases emptied back to their template after each test, for the next one."""
    reused = ReusedDatabases(test_server, later_drops)
    yield reused
    reused.finish()


@pytest.fixture(scope="session")
def serang_test_server(test_server: TestServer) -> TestServer:
    """The contract kit's server (serang_app.contract.plugin) is the one the core's tests use."""
    return test_server


@pytest.fixture(scope="session")
def migrated_template(test_server: TestServer) -> Iterator[str]:
    """A database with the core migrations applied and the default region loaded (as `migrate
    apply` does), cloned by each test that needs one."""
    name = asyncio.run(test_server.create_database())
    asyncio.run(apply_migrations(test_server.dsn(name), migration_sources([])))
    asyncio.run(load_region(test_server.dsn(name), DEFAULT_REGION))
    yield name
    asyncio.run(test_server.drop_database(name))


@pytest.fixture(scope="session")
def templates(test_server: TestServer, migrated_template: str) -> Iterator[Templates]:
    """The core's template and, made on first use, one per set of modules with their migrations too."""
    made = Templates(test_server, migrated_template)
    yield made
    asyncio.run(made.drop())


@pytest.fixture
def modules() -> list[ModuleSpec]:
    """The modules the test's app runs, whose migrations its database has before it starts.

    A test file (or a test) that runs modules overrides this fixture: its `database_url` is then
    cloned from a template with those modules' migrations applied, and the app finds nothing left
    to apply when it starts.
    """
    return []


@pytest.fixture
def app_environ() -> dict[str, str]:
    """Settings a test file gives its `client`'s app beyond settings_for's; overridden per file."""
    return {}


@pytest.fixture
async def empty_database(test_server: TestServer, later_drops: LaterDrops) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    name = await test_server.create_database()
    yield test_server.dsn(name)
    later_drops.drop(name)


@pytest.fixture
async def database_url(
    test_server: TestServer, reused_databases: ReusedDatabases, templates: Templates, modules: list[ModuleSpec]
) -> AsyncIterator[str]:
    """The URL of a database with the core migrations and those of `modules` applied, as fresh as
    a clone of their template: a new clone, or one an earlier test used, emptied back to the
    template's rows and checked for the template's schema (tests/support/reused_databases.py)."""
    name = await reused_databases.take(await templates.for_modules(modules))
    yield test_server.dsn(name)
    reused_databases.give_back(name)


# Where the test client reaches the app, as SERANG_PUBLIC_URL tells a deployed app where phones
# reach it: the app's absolute URLs (uploads, thumbnails, permits' QR codes) lead back to it.
TEST_CLIENT_ORIGIN = "http://testserver.local"


def settings_for(database_url: str, **environ: str) -> Settings:
    # Tests sign in and write far more than a resident would in a minute: every rate limit is off
    # (tests/test_abuse_limits.py and tests/test_http_behaviour.py turn them on). The background
    # worker is off too: tests drive its steps themselves, and a loop of its own in every app
    # would cost each test its start-up and compete for the rows a test looks at; the tests of
    # the loop inside the web process ask for it with SERANG_RUN_WORKER_IN_PROCESS=true.
    quiet = {
        "SERANG_RATE_LIMIT_PER_MINUTE": "0",
        "SERANG_RATE_LIMIT_WRITES_PER_MINUTE": "0",
        "SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "0",
        "SERANG_RUN_WORKER_IN_PROCESS": "false",
        # The shipped service definitions (a dozen) are published by tests/modules/permits/
        # test_seeded_services.py; elsewhere they would only slow each start and crowd the catalogue.
        "SERANG_SERVICE_SEEDS": "none",
    }
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "SERANG_ACCESS_LOG": "false",
            "SERANG_PUBLIC_URL": TEST_CLIENT_ORIGIN,
            **quiet,
            **environ,
        }
    )


# The apps this test process has built, lent to one test at a time (tests/support/app_shelf.py).
APPS = AppShelf()


@pytest.fixture(autouse=True)
def _apps_lent_for_the_test() -> Iterator[None]:
    """Every app a test gets from app_for is its own until the test ends, then back on the shelf."""
    with APPS.lending():
        yield


def app_for(database_url: str, modules: list[ModuleSpec] | None = None, **environ: str) -> Litestar:
    """The app as a test drives it, as create_app builds it (an app built for an earlier test of
    this process with the same modules and settings, given this test's database and state: see
    tests/support/app_shelf.py). Its start-up skips rewriting the OpenAPI document: that step
    alone costs more than the rest of a start-up, and the document has tests of its own
    (tests/test_openapi_document.py, tests/test_api_contract.py, the module contract's). A test
    that reads the served document uses app_with_document."""
    return APPS.app(settings_for(database_url, **environ), modules or [], with_document=False)


def app_with_document(database_url: str, modules: list[ModuleSpec] | None = None, **environ: str) -> Litestar:
    """The app as it starts in service, with the OpenAPI document it serves."""
    return APPS.app(settings_for(database_url, **environ), modules or [], with_document=True)


@pytest.fixture
async def client(
    database_url: str, modules: list[ModuleSpec], app_environ: dict[str, str], tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with the test's `modules` and `app_environ`, its files in the test's own folder."""
    app = app_for(database_url, modules=modules, SERANG_DATA_DIR=str(tmp_path / "data"), **app_environ)
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to the test's database, for looking at what the app wrote."""
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
async def app_database(database_url: str) -> AsyncIterator[Database]:
    """The test's database through the app's own pool (JSON codecs), for driving worker steps."""
    opened = await open_database(database_url, min_size=1, max_size=4, connect_timeout=5)
    yield opened
    await opened.close()


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """A local stand-in for Google's Firebase endpoints (certificates, OAuth, accounts, FCM)."""
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server over real HTTP, shared by one test module's tests: its URL."""
    with moto_server() as url:
        yield url
