"""Rotating the NIK encryption key: versions in SERANG_NIK_ENCRYPTION_KEYS, `serang-app nik rotate`
re-encrypting the stored rows, and a start that refuses NIKs no configured key can read."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Mapping

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from serang_app.auth.keys import new_secrets
from serang_app.residents.nik import NikVault
from serang_app.settings import SettingsError, load_settings
from tests.conftest import app_for
from tests.support.accounts import bearer, resident_tokens
from tests.support.processes import free_port, run_cli

# Kramatwatu, born 17 May 1990, serials 0001-0005 (residents/nik.py explains the layout).
NIKS = {f"+62812345680{serial}": f"360405170590000{serial}" for serial in range(1, 6)}
V1, V2, INDEX = (secrets.token_bytes(32) for _ in range(3))


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def keys(*versions: tuple[int, bytes]) -> dict[str, str]:
    """The NIK settings with these encryption key versions, the first encrypting."""
    listed = ",".join(f"v{version}:{b64(key)}" for version, key in versions)
    return {"SERANG_NIK_ENCRYPTION_KEYS": listed, "SERANG_NIK_INDEX_KEY": b64(INDEX)}


LEGACY_V1 = {"SERANG_NIK_ENCRYPTION_KEY": b64(V1), "SERANG_NIK_INDEX_KEY": b64(INDEX)}


async def give_niks(database_url: str, environ: Mapping[str, str], niks: Mapping[str, str]) -> None:
    async with AsyncTestClient(app_for(database_url, None, **environ)) as client:
        for phone, nik in niks.items():
            headers = bearer(await resident_tokens(client, phone))
            response = await client.patch("/v1/me", headers=headers, json={"nik": nik})
            assert response.status_code == 200, response.text


async def niks_read_by_the_app(database_url: str, environ: Mapping[str, str]) -> dict[str, str]:
    async with AsyncTestClient(app_for(database_url, None, **environ)) as client:
        read = {}
        for phone in NIKS:
            response = await client.get("/v1/me", headers=bearer(await resident_tokens(client, phone)))
            assert response.status_code == 200, response.text
            read[phone] = response.json()["nik"]
        return read


async def stored(database_url: str) -> dict[str, asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("SELECT phone, nik_ciphertext, nik_index FROM residents WHERE phone IS NOT NULL")
    finally:
        await connection.close()
    return {row["phone"]: row for row in rows}


async def cli(database_url: str, environ: Mapping[str, str], *args: str) -> tuple[int, str, str]:
    result = await asyncio.to_thread(run_cli, *args, env={"DATABASE_URL": database_url, **environ})
    for nik in NIKS.values():
        assert nik not in result.stdout + result.stderr  # never a NIK in the output
    return result.returncode, result.stdout, result.stderr


@pytest.mark.e2e
async def test_rotate_moves_every_nik_to_the_new_version_and_the_old_key_can_go(database_url: str) -> None:
    first, later = dict(list(NIKS.items())[:4]), dict(list(NIKS.items())[4:])
    await give_niks(database_url, LEGACY_V1, first)  # under the single key of before versions
    before = await stored(database_url)
    assert {row["nik_ciphertext"][0] for row in before.values()} == {1}

    # v2 listed first: the app still reads the v1 NIKs, and new ones are sealed with v2.
    overlap = keys((2, V2), (1, V1))
    await give_niks(database_url, overlap, later)
    assert await niks_read_by_the_app(database_url, overlap) == NIKS
    assert [row["nik_ciphertext"][0] for row in (await stored(database_url)).values()].count(2) == 1
    assert await cli(database_url, overlap, "nik", "status") == (
        0,
        "v2    encrypts  1 NIK(s)\nv1    decrypts  4 NIK(s)\n",
        "",
    )

    code, out, err = await cli(database_url, overlap, "nik", "rotate", "--batch-size", "3")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "re-encrypted 3 NIK(s) so far",
        "re-encrypted 4 NIK(s) so far",
        "re-encrypted 4 NIK(s) to key version v2; 0 left",
    ]
    after = await stored(database_url)
    only_v2 = NikVault.from_versions([(2, V2)], INDEX)
    for phone, row in after.items():
        assert row["nik_ciphertext"][0] == 2
        assert only_v2.decrypt(row["nik_ciphertext"]) == NIKS[phone]
        assert row["nik_index"] == before.get(phone, row)["nik_index"]  # the blind index is untouched
    assert all(after[phone]["nik_ciphertext"] != row["nik_ciphertext"] for phone, row in before.items())

    # Nothing left to do: running it again (after an interruption, say) changes nothing.
    assert (await cli(database_url, overlap, "nik", "rotate"))[1] == "re-encrypted 0 NIK(s) to key version v2; 0 left\n"
    assert await stored(database_url) == after

    # v1 removed: everything still reads, and one NIK is still one resident.
    v2_only = keys((2, V2))
    assert await niks_read_by_the_app(database_url, v2_only) == NIKS
    code, out, _ = await cli(database_url, v2_only, "nik", "status")
    assert (code, out) == (0, "v2    encrypts  5 NIK(s)\n")
    async with AsyncTestClient(app_for(database_url, None, **v2_only)) as client:
        newcomer = bearer(await resident_tokens(client, "+6281234568099"))
        taken = await client.patch("/v1/me", headers=newcomer, json={"nik": NIKS["+628123456801"]})
        assert taken.status_code == 409


@pytest.mark.e2e
async def test_a_nik_left_under_a_removed_key_stops_the_start_with_one_line(database_url: str) -> None:
    await give_niks(database_url, keys((1, V1)), dict(list(NIKS.items())[:2]))
    await give_niks(database_url, keys((2, V2), (1, V1)), dict(list(NIKS.items())[2:3]))
    v2_only = {**keys((2, V2)), "PORT": str(free_port())}
    expected = (
        "serang-app: SERANG_NIK_ENCRYPTION_KEYS: stored NIKs use key versions it does not list (2 under v1); "
        "list those keys again after the first and run `serang-app nik rotate` before removing them\n"
    )
    assert await cli(database_url, v2_only, "serve") == (2, "", expected)
    assert await cli(database_url, v2_only, "nik", "rotate") == (2, "", expected)
    assert await cli(database_url, v2_only, "nik", "status") == (
        1,
        "v2    encrypts  1 NIK(s)\nv1    no key    2 NIK(s)\n",
        expected,
    )


@pytest.mark.e2e
async def test_a_wrong_key_under_an_old_version_is_caught_before_anything_changes(database_url: str) -> None:
    await give_niks(database_url, keys((1, V1)), dict(list(NIKS.items())[:2]))
    before = await stored(database_url)
    wrong = {**keys((2, V2), (1, secrets.token_bytes(32))), "PORT": str(free_port())}
    expected = (
        "serang-app: SERANG_NIK_ENCRYPTION_KEYS: the key listed as v1 does not decrypt the stored NIKs of version 1\n"
    )
    assert await cli(database_url, wrong, "serve") == (2, "", expected)
    assert await cli(database_url, wrong, "nik", "rotate") == (2, "", expected)
    assert await stored(database_url) == before


@pytest.mark.e2e
async def test_rotate_passes_over_a_row_a_request_holds_and_a_second_run_finishes(database_url: str) -> None:
    await give_niks(database_url, keys((1, V1)), NIKS)
    overlap = keys((2, V2), (1, V1))
    held_phone = next(iter(NIKS))
    request = await asyncpg.connect(database_url)
    try:
        # A request changing this resident's profile holds the row for the whole rotation.
        transaction = request.transaction()
        await transaction.start()
        await request.execute("SELECT 1 FROM residents WHERE phone = $1 FOR UPDATE", held_phone)
        code, out, err = await cli(database_url, overlap, "nik", "rotate", "--batch-size", "2")
        assert code == 1
        assert out.splitlines()[-1] == "re-encrypted 4 NIK(s) to key version v2; 1 left"
        assert err == "serang-app: some NIKs were held by requests throughout; run it again\n"
        await transaction.rollback()
    finally:
        await request.close()
    assert (await stored(database_url))[held_phone]["nik_ciphertext"][0] == 1
    code, out, _ = await cli(database_url, overlap, "nik", "rotate")
    assert (code, out.splitlines()[-1]) == (0, "re-encrypted 1 NIK(s) to key version v2; 0 left")
    assert await niks_read_by_the_app(database_url, keys((2, V2))) == NIKS


@pytest.mark.e2e
async def test_a_nik_altered_in_the_database_is_left_and_counted_not_fatal(database_url: str) -> None:
    await give_niks(database_url, keys((1, V1)), dict(list(NIKS.items())[:3]))
    altered_phone = next(iter(NIKS))
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE residents SET nik_ciphertext = nik_ciphertext || '\\x00'::bytea WHERE phone = $1", altered_phone
        )
    finally:
        await connection.close()
    code, out, err = await cli(database_url, keys((2, V2), (1, V1)), "nik", "rotate")
    assert code == 1
    assert out.splitlines()[-1] == "re-encrypted 2 NIK(s) to key version v2; 1 left"
    assert err == (
        "serang-app: 1 NIK(s) do not decrypt with the key of their version (altered in the database?) "
        "and were left as they were\n"
    )
    assert (await stored(database_url))[altered_phone]["nik_ciphertext"][0] == 1


@pytest.mark.e2e
async def test_rotate_on_a_database_without_niks_has_nothing_to_do(database_url: str) -> None:
    assert await cli(database_url, keys((2, V2), (1, V1)), "nik", "rotate") == (
        0,
        "re-encrypted 0 NIK(s) to key version v2; 0 left\n",
        "",
    )


# What the settings accept.


def production(**nik_keys: str) -> dict[str, str]:
    fresh = {name: value for name, value in new_secrets().items() if not name.startswith("SERANG_NIK_ENCRYPTION")}
    return {
        "SERANG_ENV": "production",
        "DATABASE_URL": "postgresql://serang@db/serang",
        "SERANG_PUBLIC_URL": "https://layanan.serangkab.go.id",
        **fresh,
        **nik_keys,
    }


def refusal(environ: Mapping[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    return str(raised.value)


def test_production_takes_versioned_keys_or_the_single_key_of_before() -> None:
    versioned = load_settings(production(SERANG_NIK_ENCRYPTION_KEYS=f"v2:{b64(V2)}, v1:{b64(V1)}"))
    assert versioned.nik_encryption_keys is not None
    assert load_settings(production(SERANG_NIK_ENCRYPTION_KEY=b64(V1))).nik_encryption_key == b64(V1)
    assert refusal(production()) == "SERANG_NIK_ENCRYPTION_KEYS: required when SERANG_ENV=production"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"v2:{b64(V2)},v1:{b64(V1[:16])}", "SERANG_NIK_ENCRYPTION_KEYS: key 'v1' must be 32 bytes"),
        (f"v2:{b64(V2)},v1:not-base64", "SERANG_NIK_ENCRYPTION_KEYS: key 'v1' is not valid base64"),
        (f"v2:{b64(V2)},{b64(V1)}", "SERANG_NIK_ENCRYPTION_KEYS: each entry must be key version:base64"),
        (f"2:{b64(V2)}", "SERANG_NIK_ENCRYPTION_KEYS: key version '2' must be v1 to v255"),
        (f"v0:{b64(V2)}", "SERANG_NIK_ENCRYPTION_KEYS: key version 'v0' must be v1 to v255"),
        (f"v256:{b64(V2)}", "SERANG_NIK_ENCRYPTION_KEYS: key version 'v256' must be v1 to v255"),
        (f"v1:{b64(V2)},v1:{b64(V1)}", "SERANG_NIK_ENCRYPTION_KEYS: each key version must be listed once"),
        (f"v2:{b64(V2)},v1:{b64(V2)}", "SERANG_NIK_ENCRYPTION_KEYS: key 'v1' is the same as key 'v2' of"),
        (f"v2:{b64(V2)},v1:{b64(INDEX)}", "SERANG_NIK_INDEX_KEY: this key is the same as key 'v1' of"),
    ],
    # Named, not shown: a random key in a test's id would differ between pytest-xdist's processes.
    ids=["short", "not base64", "no version", "no v", "v0", "v256", "listed twice", "same as v2", "same as index"],
)
def test_production_checks_every_version(value: str, message: str) -> None:
    problem = refusal(production(SERANG_NIK_ENCRYPTION_KEYS=value, SERANG_NIK_INDEX_KEY=b64(INDEX)))
    assert problem.startswith(message)
    assert b64(V1) not in problem
    assert b64(V2) not in problem


def test_a_published_key_kept_only_for_decrypting_is_refused() -> None:
    published = "F25H++iFGthaTVWyvhhq73rwKKZaV8HbPKEfbDJcp5s="  # compose.yaml's trial key before issue 18
    problem = refusal(production(SERANG_NIK_ENCRYPTION_KEYS=f"v2:{b64(V2)},v1:{published}"))
    assert problem.startswith("SERANG_NIK_ENCRYPTION_KEYS: key 'v1' has been published")


def test_the_two_forms_together_are_refused_even_in_development() -> None:
    both = {"SERANG_NIK_ENCRYPTION_KEYS": f"v2:{b64(V2)}", "SERANG_NIK_ENCRYPTION_KEY": b64(V1)}
    assert refusal(both) == (
        "SERANG_NIK_ENCRYPTION_KEY: set only SERANG_NIK_ENCRYPTION_KEYS, with this key as its entry v1"
    )
