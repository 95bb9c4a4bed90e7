"""Access tokens are refused unless they are exactly ours; refresh tokens rotate and detect reuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import asyncpg
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.auth.access_tokens import AccessSubject, AccessTokens, InvalidAccessTokenError
from serang_app.auth.keys import parse_jwt_keys, signing_keys
from serang_app.settings import load_settings
from tests.conftest import app_for
from tests.support.accounts import bearer, create_staff, resident_tokens, staff_tokens

PHONE = "+6281234567001"


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "serang-app",
        "aud": "serang-app-api",
        "sub": "resident:00000000-0000-0000-0000-000000000000",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


async def test_a_fresh_token_opens_the_profile(client: AsyncTestClient[Litestar]) -> None:
    tokens = await resident_tokens(client, PHONE)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = await client.get("/v1/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["phone"] == PHONE


async def test_no_token_answers_401_with_a_challenge(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"


async def test_forged_and_stale_tokens_are_refused(client: AsyncTestClient[Litestar]) -> None:
    tokens = await resident_tokens(client, PHONE)
    real = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    keys = signing_keys(load_settings({}))
    public_pem = keys.verifying["dev"].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    other = parse_jwt_keys("dev:" + base64.b64encode(b"x" * 32).decode())
    forged_payload = _segment(json.dumps(real).encode())
    none_header = _segment(b'{"alg":"none","typ":"JWT","kid":"dev"}')
    unsigned = f"{none_header}.{forged_payload}."
    # pyjwt itself refuses to HMAC with a public key, so the classic confusion token is built by hand.
    hs_header = _segment(b'{"alg":"HS256","typ":"JWT","kid":"dev"}')
    hs_signature = hmac.new(public_pem, f"{hs_header}.{forged_payload}".encode(), hashlib.sha256).digest()
    hs256_with_public_key = f"{hs_header}.{forged_payload}.{_segment(hs_signature)}"
    forged = {
        "alg none": unsigned,
        "HS256 keyed with the public key": hs256_with_public_key,
        "expired": jwt.encode(
            _claims(sub=real["sub"], iat=1, exp=2), keys.signing_key, algorithm="EdDSA", headers={"kid": "dev"}
        ),
        "wrong audience": jwt.encode(
            _claims(sub=real["sub"], aud="other"), keys.signing_key, algorithm="EdDSA", headers={"kid": "dev"}
        ),
        "wrong issuer": jwt.encode(
            _claims(sub=real["sub"], iss="other"), keys.signing_key, algorithm="EdDSA", headers={"kid": "dev"}
        ),
        "missing expiry": jwt.encode(
            {k: v for k, v in _claims(sub=real["sub"]).items() if k != "exp"},
            keys.signing_key,
            algorithm="EdDSA",
            headers={"kid": "dev"},
        ),
        "signed by another key": jwt.encode(
            _claims(sub=real["sub"]), other.signing_key, algorithm="EdDSA", headers={"kid": "dev"}
        ),
        "unknown key id": jwt.encode(
            _claims(sub=real["sub"]), keys.signing_key, algorithm="EdDSA", headers={"kid": "k9"}
        ),
        "a refresh token": tokens["refresh_token"],
        "garbage": "not.a.token",
    }
    for name, token in forged.items():
        response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
    # The genuine token still works: the refusals above are about the tokens, not the account.
    assert (await client.get("/v1/me", headers=bearer(tokens))).status_code == 200


def test_a_verified_token_kept_in_memory_still_expires() -> None:
    keys = signing_keys(load_settings({}))
    subject = AccessSubject(kind="resident", id=uuid.uuid4())
    # Issued so that it expires (30 s of clock leeway included) one second from now.
    token = AccessTokens(keys, lifetime_seconds=-29).issue(subject)
    verifier = AccessTokens(keys, lifetime_seconds=900)
    assert verifier.verify(token).subject == subject
    assert verifier.verify(token).subject == subject  # from memory this time
    time.sleep(1.2)
    with pytest.raises(InvalidAccessTokenError):
        verifier.verify(token)
    # A token that failed is not kept: the same bytes fail again after a full check.
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(InvalidAccessTokenError):
            verifier.verify(tampered)


async def test_an_old_key_verifies_until_it_is_retired(database_url: str) -> None:
    old = "k1:" + base64.b64encode(b"1" * 32).decode()
    new = "k2:" + base64.b64encode(b"2" * 32).decode()
    async with AsyncTestClient(app_for(database_url, SERANG_JWT_KEYS=old)) as client:
        tokens = await resident_tokens(client, PHONE)
    async with AsyncTestClient(app_for(database_url, SERANG_JWT_KEYS=f"{new},{old}")) as client:
        assert (await client.get("/v1/me", headers=bearer(tokens))).status_code == 200
        fresh = await resident_tokens(client, PHONE)
        assert jwt.get_unverified_header(fresh["access_token"])["kid"] == "k2"
    async with AsyncTestClient(app_for(database_url, SERANG_JWT_KEYS=new)) as client:
        assert (await client.get("/v1/me", headers=bearer(tokens))).status_code == 401
        assert (await client.get("/v1/me", headers=bearer(fresh))).status_code == 200


async def test_refresh_rotates_and_reuse_revokes_the_family(client: AsyncTestClient[Litestar]) -> None:
    first = await resident_tokens(client, PHONE)
    second = (await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    third = (await client.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})).json()
    assert len({first["refresh_token"], second["refresh_token"], third["refresh_token"]}) == 3
    # The first token was used long ago (two rotations back): a copy is being replayed.
    replay = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    after = await client.post("/v1/auth/refresh", json={"refresh_token": third["refresh_token"]})
    assert after.status_code == 401, "the whole family is revoked"


async def test_the_previous_token_may_be_retried_within_the_grace_period(client: AsyncTestClient[Litestar]) -> None:
    first = await resident_tokens(client, PHONE)
    lost = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert lost.status_code == 200  # the phone never received this answer
    retry = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert retry.status_code == 200
    # The successor the phone never saw is dead; the retry's is alive.
    assert (
        await client.post("/v1/auth/refresh", json={"refresh_token": lost.json()["refresh_token"]})
    ).status_code == 401
    assert (
        await client.post("/v1/auth/refresh", json={"refresh_token": retry.json()["refresh_token"]})
    ).status_code == 200


async def test_outside_the_grace_period_a_retry_is_reuse(database_url: str) -> None:
    async with AsyncTestClient(app_for(database_url, SERANG_REFRESH_GRACE_SECONDS="0")) as client:
        first = await resident_tokens(client, PHONE)
        second = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert (
            await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        ).status_code == 401
        assert (
            await client.post("/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
        ).status_code == 401


async def test_logout_ends_the_session(client: AsyncTestClient[Litestar]) -> None:
    tokens = await resident_tokens(client, PHONE)
    assert (await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
    assert (await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401
    assert (await client.post("/v1/auth/logout", json={"refresh_token": "unknown"})).status_code == 204


async def test_a_disabled_staff_account_stops_at_once(client: AsyncTestClient[Litestar], database_url: str) -> None:
    staff_id = await create_staff(database_url, "officer@dpupr.test", "officer")
    tokens = await staff_tokens(client, "officer@dpupr.test")
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("UPDATE staff SET is_active = false WHERE id = $1", staff_id)
    finally:
        await connection.close()
    # Any authenticated route: the account is checked on every request, not when the token expires.
    assert (await client.get("/v1/me", headers=bearer(tokens))).status_code == 401
    assert (await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401


async def test_staff_cannot_use_resident_routes(client: AsyncTestClient[Litestar], database_url: str) -> None:
    await create_staff(database_url, "officer@dpupr.test", "officer")
    tokens = await staff_tokens(client, "officer@dpupr.test")
    assert (await client.get("/v1/me", headers=bearer(tokens))).status_code == 403


async def test_dev_sign_in_is_404_in_production(database_url: str) -> None:
    from serang_app.auth.keys import new_secrets

    app = app_for(
        database_url, None, SERANG_ENV="production", SERANG_PUBLIC_URL="https://layanan.test", **new_secrets()
    )
    async with AsyncTestClient(app) as client:
        response = await client.post("/v1/auth/dev", json={"phone": PHONE, "consent_policy_version": "2026-11"})
        assert response.status_code == 404


@pytest.mark.parametrize("version", ["2025-01", "old"])
async def test_sign_in_requires_the_current_privacy_policy(client: AsyncTestClient[Litestar], version: str) -> None:
    response = await client.post("/v1/auth/dev", json={"phone": PHONE, "consent_policy_version": version})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["consent_policy_version"]
