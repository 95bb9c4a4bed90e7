"""Staff sign-in: argon2id passwords, lock-out after repeated failures, no account enumeration."""

from __future__ import annotations

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.accounts import STAFF_PASSWORD, create_staff

EMAIL = "supervisor@dpupr.test"


async def _attempt(client: AsyncTestClient[Litestar], email: str, password: str) -> tuple[int, str]:
    response = await client.post("/v1/staff/auth/login", json={"email": email, "password": password})
    return response.status_code, response.json().get("code", "")


async def test_the_right_password_signs_in(client: AsyncTestClient[Litestar], database_url: str) -> None:
    await create_staff(database_url, EMAIL, "supervisor")
    status, _ = await _attempt(client, EMAIL.upper(), STAFF_PASSWORD)
    assert status == 200


async def test_guessing_is_locked_out_the_same_way_for_unknown_addresses(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    await create_staff(database_url, EMAIL, "supervisor")
    real = [await _attempt(client, EMAIL, f"guess-{n}") for n in range(6)]
    unknown = [await _attempt(client, "nobody@dpupr.test", f"guess-{n}") for n in range(6)]
    expected = [(401, "invalid_credentials")] * 4 + [(429, "sign_in_locked")] * 2
    assert real == expected
    assert unknown == expected
    # Locked means locked: even the right password waits.
    assert await _attempt(client, EMAIL, STAFF_PASSWORD) == (429, "sign_in_locked")

    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("UPDATE staff_sign_in_throttle SET locked_until = now() - interval '1 second'")
        actions = await connection.fetch("SELECT action, details FROM audit_log ORDER BY id")
    finally:
        await connection.close()
    assert (await _attempt(client, EMAIL, STAFF_PASSWORD))[0] == 200
    assert [row["action"] for row in actions].count("staff.sign_in_failed") == 10
    assert all(EMAIL not in str(row["details"]) for row in actions)


async def test_a_disabled_account_cannot_sign_in(client: AsyncTestClient[Litestar], database_url: str) -> None:
    staff_id = await create_staff(database_url, EMAIL, "supervisor")
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("UPDATE staff SET is_active = false WHERE id = $1", staff_id)
    finally:
        await connection.close()
    assert await _attempt(client, EMAIL, STAFF_PASSWORD) == (401, "invalid_credentials")
