"""Signing in, the profile with its NIK, and the UU PDP rights of access and erasure."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import app_for
from tests.support.accounts import POLICY, bearer, resident_tokens
from tests.support.fake_google import FakeGoogle

SITI = "+6281234567011"
BUDI = "+6281234567022"
SITI_NIK = "3604055705900001"  # Kramatwatu, woman born 17 May 1990 (day + 40), serial 0001
BUDI_NIK = "3171011203850042"


async def test_a_resident_sees_and_changes_only_their_own_profile(client: AsyncTestClient[Litestar]) -> None:
    siti = bearer(await resident_tokens(client, SITI))
    budi = bearer(await resident_tokens(client, BUDI))
    changed = await client.patch(
        "/v1/me",
        headers=siti,
        json={"name": "Siti Aminah", "district_code": "36.04.05", "village_code": "36.04.05.2001", "nik": SITI_NIK},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["nik"] == SITI_NIK  # shown in full to its owner
    assert changed.json()["name"] == "Siti Aminah"
    budi_view = (await client.get("/v1/me", headers=budi)).json()
    assert budi_view["phone"] == BUDI
    assert budi_view["name"] is None
    assert budi_view["nik"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
        ({"phone": "+6289999999999"}, "phone"),
        ({"locale": "fr"}, "locale"),
        ({"district_code": "36.04.99"}, "district_code"),
        ({"district_code": "32.01.01"}, "district_code"),
        ({"district_code": "36.04.05", "village_code": "36.04.06.2001"}, "village_code"),
        ({"name": ""}, "name"),
    ],
)
async def test_wrong_profile_changes_are_refused_with_422(
    client: AsyncTestClient[Litestar], body: dict[str, str], field: str
) -> None:
    headers = bearer(await resident_tokens(client, SITI))
    response = await client.patch("/v1/me", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("nik", "says"),
    [
        ("36040557059000", "16 digit"),  # too short
        ("3699055705900001", "kode kabupaten/kota"),  # no regency 99 in Banten
        ("3604053102900001", "tanggal lahir"),  # 31 February
        ("3604051705900000", "0000"),  # serial 0000
    ],
)
async def test_an_invalid_nik_is_refused_with_a_clear_message(
    client: AsyncTestClient[Litestar], nik: str, says: str
) -> None:
    headers = bearer(await resident_tokens(client, SITI))
    response = await client.patch("/v1/me", headers=headers, json={"nik": nik})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "nik"
    assert says in error["message"], error["message"]
    english = await client.patch("/v1/me", headers={**headers, "Accept-Language": "en"}, json={"nik": nik})
    assert english.json()["errors"][0]["message"] != error["message"]


async def test_one_nik_belongs_to_one_resident(client: AsyncTestClient[Litestar], database_url: str) -> None:
    siti = bearer(await resident_tokens(client, SITI))
    budi = bearer(await resident_tokens(client, BUDI))
    assert (await client.patch("/v1/me", headers=siti, json={"nik": SITI_NIK})).status_code == 200
    taken = await client.patch("/v1/me", headers=budi, json={"nik": f" {SITI_NIK} "})
    assert taken.status_code == 409
    assert taken.json()["code"] == "nik_taken"
    connection = await asyncpg.connect(database_url)
    try:
        stored = await connection.fetchrow("SELECT nik_ciphertext, nik_index FROM residents WHERE phone = $1", SITI)
    finally:
        await connection.close()
    assert stored is not None
    assert SITI_NIK.encode() not in stored["nik_ciphertext"]  # encrypted at rest
    assert len(stored["nik_index"]) == 32


async def test_the_export_holds_my_data_and_nobody_elses(client: AsyncTestClient[Litestar]) -> None:
    siti = bearer(await resident_tokens(client, SITI))
    budi = bearer(await resident_tokens(client, BUDI))
    await client.patch("/v1/me", headers=siti, json={"name": "Siti Aminah", "nik": SITI_NIK})
    await client.patch("/v1/me", headers=budi, json={"name": "Budi Santoso", "nik": BUDI_NIK})
    export = await client.get("/v1/me/export", headers=siti)
    assert export.status_code == 200
    body = export.json()
    assert body["profile"]["nik"] == SITI_NIK
    assert body["consents"][0]["policy_version"] == POLICY
    assert len(body["sessions"]) == 1
    assert [entry["action"] for entry in body["activity"]] == ["resident.sign_in", "resident.profile_changed"]
    assert "Budi" not in export.text
    assert BUDI not in export.text
    assert BUDI_NIK not in export.text


async def test_erasure_leaves_no_trace_of_the_person(client: AsyncTestClient[Litestar], database_url: str) -> None:
    tokens = await resident_tokens(client, SITI)
    siti = bearer(tokens)
    await client.patch("/v1/me", headers=siti, json={"name": "Siti Aminah", "nik": SITI_NIK})
    assert (await client.delete("/v1/me", headers=siti)).status_code == 204
    assert (await client.get("/v1/me", headers=siti)).status_code == 401
    assert (await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401

    connection = await asyncpg.connect(database_url)
    try:
        columns = await connection.fetch(
            """SELECT table_schema, table_name, column_name FROM information_schema.columns
               WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                 AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea')"""
        )
        assert len(columns) > 20
        for column in columns:
            table = f'"{column["table_schema"]}"."{column["table_name"]}"'
            found = await connection.fetchval(
                f'SELECT count(*) FROM {table} WHERE "{column["column_name"]}"::text ~* $1',
                "Siti Aminah|" + SITI.replace("+", "\\+") + "|" + SITI_NIK,
            )
            assert found == 0, f"{table}.{column['column_name']} still holds personal data"
    finally:
        await connection.close()
    # Signing in again with the number starts a new, empty account.
    again = bearer(await resident_tokens(client, SITI))
    assert (await client.get("/v1/me", headers=again)).json()["name"] is None


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


async def test_firebase_sign_in_with_a_real_signed_token(fake_google: FakeGoogle, database_url: str) -> None:
    settings = fake_google.settings()
    app = app_for(
        database_url,
        FIREBASE_PROJECT_ID=settings.project_id,
        FIREBASE_CREDENTIALS_FILE=str(settings.credentials_file),
        FIREBASE_CERTIFICATES_URL=str(settings.certificates_url),
        FIREBASE_AUTH_API_URL=str(settings.auth_api_url),
    )
    async with AsyncTestClient(app) as client:
        token = fake_google.sign_id_token("firebase-uid-1", SITI)
        signed_in = await client.post("/v1/auth/firebase", json={"id_token": token, "consent_policy_version": POLICY})
        assert signed_in.status_code == 200, signed_in.text
        me = await client.get("/v1/me", headers=bearer(signed_in.json()))
        assert me.json()["phone"] == SITI

        again = await client.post(
            "/v1/auth/firebase",
            json={"id_token": fake_google.sign_id_token("firebase-uid-1", SITI), "consent_policy_version": POLICY},
        )
        assert (await client.get("/v1/me", headers=bearer(again.json()))).json()["id"] == me.json()["id"]

        fake_google.disable_user("firebase-uid-1")
        refused = await client.post(
            "/v1/auth/firebase",
            json={"id_token": fake_google.sign_id_token("firebase-uid-1", SITI), "consent_policy_version": POLICY},
        )
        assert refused.status_code == 401
        expired = fake_google.sign_id_token("firebase-uid-2", BUDI, issued_at=1_600_000_000)
        response = await client.post("/v1/auth/firebase", json={"id_token": expired, "consent_policy_version": POLICY})
        assert response.status_code == 401
    assert fake_google.hits["certificates"] >= 1


async def test_firebase_sign_in_without_a_project_is_503(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/v1/auth/firebase", json={"id_token": "x", "consent_policy_version": POLICY})
    assert response.status_code == 503
    assert response.json()["code"] == "firebase_not_configured"
