"""A running app with the module, on a fresh database, for a module's own tests; and residents
signed in to it the development way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.app import create_app
from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from serang_app.contract.checks import contract_settings, installed_module
from serang_app.contract.servers import TestServer
from serang_app.module_system.spec import ModuleSpec


@asynccontextmanager
async def app_client(
    server: TestServer, specs: list[ModuleSpec], **environ: str
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], str]]:
    """The app with these modules on a new database (migrated at start-up), and the database's
    URL; the database is dropped afterwards. `environ`: settings, as environment variables."""
    name = await server.create_database()
    try:
        app = create_app(contract_settings(server.dsn(name), **environ), modules=specs)
        async with AsyncTestClient(app) as client:
            yield client, server.dsn(name)
    finally:
        await server.drop_database(name)


@asynccontextmanager
async def module_client(server: TestServer, slug: str, **environ: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with the installed module `slug` (and those it depends on)."""
    async with app_client(server, installed_module(slug), **environ) as (client, _):
        yield client


async def signed_in_resident(client: httpx.AsyncClient, phone: str) -> dict[str, str]:
    """A resident signed in with a phone number alone (development mode): the Authorization header."""
    response = await client.post(
        "/v1/auth/dev", json={"phone": phone, "consent_policy_version": CURRENT_PRIVACY_POLICY}
    )
    if response.status_code != 200:
        raise AssertionError(f"development sign-in failed: {response.status_code} {response.text}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
