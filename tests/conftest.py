from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.app import create_app
from serang_app.db.migrations import apply_migrations
from serang_app.db.pool import Database, open_database
from serang_app.lifespan import migration_sources
from serang_app.module_system.spec import ModuleSpec
from serang_app.regions.loading import load_region
from serang_app.settings import DEFAULT_REGION, Settings, load_settings
from tests.support.database import EMBEDDED_FOLDER, TestServer
from tests.support.fake_google import FakeGoogle
from tests.support.object_store import moto_server


@pytest.fixture(scope="session")
def test_server() -> Iterator[TestServer]:
    server = TestServer(EMBEDDED_FOLDER)
    yield server
    server.stop()


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


@pytest.fixture
async def empty_database(test_server: TestServer) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    name = await test_server.create_database()
    yield test_server.dsn(name)
    await test_server.drop_database(name)


@pytest.fixture
async def database_url(test_server: TestServer, migrated_template: str) -> AsyncIterator[str]:
    """The URL of a fresh database with the core migrations applied, dropped after the test."""
    name = await test_server.create_database(template=migrated_template)
    yield test_server.dsn(name)
    await test_server.drop_database(name)


# Where the test client reaches the app, as SERANG_PUBLIC_URL tells a deployed app where phones
# reach it: the app's absolute URLs (uploads, thumbnails, permits' QR codes) lead back to it.
TEST_CLIENT_ORIGIN = "http://testserver.local"


def settings_for(database_url: str, **environ: str) -> Settings:
    # The write limits count in the database across apps: tests sign in and write far more than a
    # resident would in a minute. tests/test_abuse_limits.py turns them on.
    limits_off = {"SERANG_RATE_LIMIT_WRITES_PER_MINUTE": "0", "SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "0"}
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "SERANG_ACCESS_LOG": "false",
            "SERANG_PUBLIC_URL": TEST_CLIENT_ORIGIN,
            **limits_off,
            **environ,
        }
    )


def app_for(database_url: str, modules: list[ModuleSpec] | None = None, **environ: str) -> Litestar:
    return create_app(settings_for(database_url, **environ), modules=modules or [])


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app_for(database_url)) as test_client:
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
