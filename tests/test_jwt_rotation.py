"""Rotating the access-token key by key id, as docs/deployment.md tells an operator with replicas.

Three steps, each rolled out to every replica before the next: list the new key after the old one
(it verifies, the old one still signs); put it first (it signs); after the longest token lifetime,
drop the old one. Replicas on neighbouring steps must accept each other's tokens throughout.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.auth.keys import new_secrets
from tests.conftest import app_for
from tests.support.accounts import bearer, create_staff, staff_tokens

EMAIL = "operator@diskominfo.test"
SECRETS = new_secrets()


def fresh_key(kid: str) -> str:
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


@asynccontextmanager
async def replica(database_url: str, jwt_keys: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """One production API replica, all of them sharing the database and every key but the JWT keys."""
    environment = {**SECRETS, "SERANG_JWT_KEYS": jwt_keys}
    app = app_for(
        database_url, None, SERANG_ENV="production", SERANG_PUBLIC_URL="https://testserver.local", **environment
    )
    async with AsyncTestClient(app) as client:
        yield client


async def me(client: AsyncTestClient[Litestar], tokens: dict[str, Any]) -> int:
    return (await client.get("/v1/admin/staff", headers=bearer(tokens))).status_code


def kid(tokens: dict[str, Any]) -> str:
    return str(jwt.get_unverified_header(tokens["access_token"])["kid"])


async def test_rolling_rotation_keeps_every_replica_accepting_every_token(database_url: str) -> None:
    old, new = fresh_key("2026-01"), fresh_key("2026-07")
    await create_staff(database_url, EMAIL, "admin", None)
    async with replica(database_url, old) as before:
        signed_before = await staff_tokens(before, EMAIL)
    assert kid(signed_before) == "2026-01"

    # Step 1, half rolled out: a replica listing the new key second still signs with the old one,
    # so a replica not yet restarted accepts what it issues.
    async with replica(database_url, f"{old},{new}") as step_one, replica(database_url, old) as not_yet:
        issued = await staff_tokens(step_one, EMAIL)
        assert kid(issued) == "2026-01"
        assert await me(not_yet, issued) == 200
        assert await me(step_one, signed_before) == 200

    # Step 2, half rolled out: the new key signs; replicas still on step 1 already verify it.
    async with replica(database_url, f"{new},{old}") as step_two, replica(database_url, f"{old},{new}") as step_one:
        signed_during = await staff_tokens(step_two, EMAIL)
        assert kid(signed_during) == "2026-07"
        assert await me(step_one, signed_during) == 200
        assert await me(step_two, signed_before) == 200  # the overlap: old tokens still verify

    # Step 3, after the longest token lifetime: the old key is gone, and so are its tokens.
    async with replica(database_url, new) as after:
        assert await me(after, signed_before) == 401
        assert await me(after, signed_during) == 200
        assert kid(await staff_tokens(after, EMAIL)) == "2026-07"
        # Refresh tokens are not signed with these keys: nobody is signed out by the rotation.
        refreshed = await after.post("/v1/auth/refresh", json={"refresh_token": signed_before["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        assert kid(refreshed.json()) == "2026-07"
        assert await me(after, refreshed.json()) == 200
