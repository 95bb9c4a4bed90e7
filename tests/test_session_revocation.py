"""Signing out stops the session's access tokens at once, in every process, not when they expire."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.auth.access_tokens import LONGEST_LIFETIME_SECONDS, AccessSubject, AccessTokens
from serang_app.auth.keys import new_secrets, signing_keys
from serang_app.auth.revoked_sessions import KEEP, REVOKE_FAMILY, delete_old_revocations
from serang_app.db.pool import Database
from serang_app.settings import SettingsError, load_settings
from tests.conftest import app_for
from tests.support.accounts import bearer, create_staff, resident_tokens, staff_tokens
from tests.support.app_server import running_app
from tests.support.served import served

PHONE = "+6281234567001"
Tokens = dict[str, Any]


async def _status(client: httpx.AsyncClient, tokens: Tokens, path: str = "/v1/me") -> int:
    return (await client.get(path, headers=bearer(tokens))).status_code


def _session_of(tokens: Tokens) -> uuid.UUID:
    return uuid.UUID(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"])


@pytest.mark.e2e
async def test_after_sign_out_the_access_token_fails_at_once_in_every_process(
    database_url: str, tmp_path: Path
) -> None:
    keys = new_secrets()["SERANG_JWT_KEYS"]  # both processes verify the same tokens
    with running_app(database_url, tmp_path / "other-process.log", SERANG_JWT_KEYS=keys) as other_url:
        async with (
            served(app_for(database_url, SERANG_JWT_KEYS=keys)) as here,
            httpx.AsyncClient(base_url=other_url, trust_env=False, timeout=30) as there,
        ):
            phone = await resident_tokens(here, PHONE)
            tablet = await resident_tokens(here, PHONE)  # the same resident, another sign-in
            for client in (here, there):
                for tokens in (phone, tablet):
                    assert await _status(client, tokens) == 200  # now verified and kept in memory
            signed_out = await here.post("/v1/auth/logout", json={"refresh_token": phone["refresh_token"]})
            assert signed_out.status_code == 204
            # The very next request, in the other process too.
            assert await _status(there, phone) == 401
            assert await _status(there, phone, "/v1/me/cases") == 401  # the route that checks the account itself
            assert await _status(here, phone) == 401
            for client in (here, there):
                assert await _status(client, tablet) == 200
                assert await _status(client, tablet, "/v1/me/cases") == 200


async def test_every_query_that_checks_the_account_checks_the_session(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    staff_email = "officer@dpupr.test"
    await create_staff(database_url, staff_email, "officer")
    resident = [await resident_tokens(client, PHONE) for _ in range(2)]
    staff = [await staff_tokens(client, staff_email) for _ in range(2)]
    # The app's first page, a filtered page (another query), the page without rows (the account
    # looked up separately), and the middleware's own look-up for residents and for staff.
    checks = [
        (resident, "/v1/me/cases"),
        (resident, "/v1/me/cases?phase=completed"),
        (resident, "/v1/me/cases?module=nothing"),
        (resident, "/v1/me"),
        (staff, "/v1/staff/cases"),
    ]
    for sessions, path in checks:
        assert await _status(client, sessions[0], path) == 200, path
    for sessions in (resident, staff):
        await db.execute(REVOKE_FAMILY, _session_of(sessions[0]))  # as another process would
    for sessions, path in checks:
        assert await _status(client, sessions[0], path) == 401, path
        assert await _status(client, sessions[1], path) == 200, path


async def test_a_replayed_refresh_token_ends_the_sessions_access_token(client: AsyncTestClient[Litestar]) -> None:
    first = await resident_tokens(client, PHONE)
    second = (await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    third = (await client.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})).json()
    assert await _status(client, third) == 200
    replay = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert await _status(client, third) == 401


async def test_erasure_and_disabling_a_staff_account_end_every_session_of_the_account(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    staff_email = "officer@dpupr.test"
    staff_id = await create_staff(database_url, staff_email, "officer")
    resident = [await resident_tokens(client, PHONE) for _ in range(2)]
    staff = [await staff_tokens(client, staff_email) for _ in range(2)]
    admin_email = "admin@diskominfosatik.test"
    await create_staff(database_url, admin_email, "admin", "DISKOMINFOSATIK")
    admin = bearer(await staff_tokens(client, admin_email))
    assert (await client.delete("/v1/me", headers=bearer(resident[0]))).status_code == 204
    disabled = await client.patch(f"/v1/admin/staff/{staff_id}", headers=admin, json={"is_active": False})
    assert disabled.status_code == 200
    ended = {row["session_id"] for row in await db.fetch("SELECT session_id FROM revoked_sessions")}
    assert ended == {_session_of(tokens) for tokens in resident + staff}
    for tokens in resident + staff:
        assert await _status(client, tokens) == 401


async def test_tokens_issued_before_sessions_were_named_work_until_they_expire(
    client: AsyncTestClient[Litestar],
) -> None:
    tokens = await resident_tokens(client, PHONE)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    subject = AccessSubject(kind="resident", id=uuid.UUID(claims["sub"].removeprefix("resident:")))
    without_session = AccessTokens(signing_keys(load_settings({})), 900).issue(subject)
    assert "sid" not in jwt.decode(without_session, options={"verify_signature": False})
    assert await _status(client, {"access_token": without_session}) == 200


async def test_revocations_are_forgotten_once_no_token_can_need_them(
    app_database: Database, db: asyncpg.Connection
) -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()
    await db.execute(
        "INSERT INTO revoked_sessions (session_id, revoked_at) VALUES ($1, now() - interval '2 hours'), ($2, now())",
        old,
        recent,
    )
    assert await delete_old_revocations(app_database) == 1
    assert [row["session_id"] for row in await db.fetch("SELECT session_id FROM revoked_sessions")] == [recent]


def test_revocations_are_kept_as_long_as_the_longest_token_the_settings_allow() -> None:
    assert load_settings({"SERANG_ACCESS_TOKEN_SECONDS": str(LONGEST_LIFETIME_SECONDS)}).access_token_seconds
    with pytest.raises(SettingsError):
        load_settings({"SERANG_ACCESS_TOKEN_SECONDS": str(LONGEST_LIFETIME_SECONDS + 1)})
    assert KEEP.total_seconds() > LONGEST_LIFETIME_SECONDS
