"""Staff sign-in: argon2id passwords, lock-out after repeated failures, no account enumeration."""

from __future__ import annotations

import asyncpg
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.staff.passwords import UNKNOWN_ACCOUNT_HASH
from tests.support.accounts import STAFF_PASSWORD, create_staff, full_width

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


def test_an_unknown_address_is_checked_against_a_hash_as_costly_as_a_real_one() -> None:
    # The stand-in hash is written out in staff/passwords.py; it must stay one of the parameters
    # passwords are hashed with, or an unknown address would answer faster than a known one.
    assert not PasswordHasher().check_needs_rehash(UNKNOWN_ACCOUNT_HASH)
    assert PasswordHasher().verify(UNKNOWN_ACCOUNT_HASH, "no account has this password")


async def test_a_disabled_account_cannot_sign_in(client: AsyncTestClient[Litestar], database_url: str) -> None:
    staff_id = await create_staff(database_url, EMAIL, "supervisor")
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("UPDATE staff SET is_active = false WHERE id = $1", staff_id)
    finally:
        await connection.close()
    assert await _attempt(client, EMAIL, STAFF_PASSWORD) == (401, "invalid_credentials")


# Spellings of one address: upper case, full-width letters and a small Roman numeral one (NFKC), the
# long s (casefold), surrounding white space.
DINSOS = "supervisor.dinsos@serang.test"
LONG_S = "\N{LATIN SMALL LETTER LONG S}"


SAME_ADDRESS = [
    "SUPERVISOR.DINSOS@SERANG.TEST",
    full_width("supervisor.dinsos@serang.test"),
    "supervisor.dinsos@serang.test".replace("s", LONG_S),
    "superv\N{SMALL ROMAN NUMERAL ONE}sor.dinsos@serang.test",
    " supervisor.dinsos@serang.test\N{NO-BREAK SPACE}",
    "Supervisor.Dinsos@Serang.Test",
]
# Casefolds to another address (`i` and a combining dot above), which PostgreSQL's lower() read as
# the plain `i` of the real account: the bypass the outside review found (issue 18).
DOTTED_CAPITAL_I = "superv\N{LATIN CAPITAL LETTER I WITH DOT ABOVE}sor.dinsos@serang.test"


async def test_the_lock_out_holds_for_every_spelling_of_the_address(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    await create_staff(database_url, DINSOS, "supervisor", "DINSOS")
    failures = [await _attempt(client, DINSOS, f"guess-{n}") for n in range(5)]
    assert failures == [(401, "invalid_credentials")] * 4 + [(429, "sign_in_locked")]
    # Only looks like the address: it is another one, which no staff account can have.
    assert await _attempt(client, DOTTED_CAPITAL_I, STAFF_PASSWORD) == (401, "invalid_credentials")
    for spelling in SAME_ADDRESS:
        assert await _attempt(client, spelling, STAFF_PASSWORD) == (429, "sign_in_locked"), spelling


async def test_failures_in_different_spellings_add_up_to_one_lock_out(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    await create_staff(database_url, DINSOS, "supervisor", "DINSOS")
    failures = [await _attempt(client, SAME_ADDRESS[n], f"guess-{n}") for n in range(5)]
    assert failures == [(401, "invalid_credentials")] * 4 + [(429, "sign_in_locked")]
    assert await _attempt(client, DINSOS, STAFF_PASSWORD) == (429, "sign_in_locked")


async def test_every_spelling_of_the_address_signs_in_when_not_locked(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    await create_staff(database_url, DINSOS, "supervisor", "DINSOS")
    for spelling in SAME_ADDRESS:
        assert (await _attempt(client, spelling, STAFF_PASSWORD))[0] == 200, spelling
