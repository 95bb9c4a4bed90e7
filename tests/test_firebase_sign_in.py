"""Firebase ID-token verification with the real firebase-admin against a local fake of Google.

Every token here is really signed, and every check of the library stays on: the fake only replaces
where the certificates, the OAuth token and the user record come from.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from serang_app.auth.firebase import (
    EMULATOR_HOST_VARIABLE,
    FirebaseConfigurationError,
    FirebaseTokenError,
    FirebaseVerifier,
)
from tests.support.fake_google import FakeGoogle, new_rsa_key, unused_local_url

pytestmark = pytest.mark.timeout(30)

PHONE = "+6281234567890"


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


@pytest.fixture
def verifier(fake: FakeGoogle) -> Iterator[FirebaseVerifier]:
    firebase_verifier = FirebaseVerifier(fake.settings())
    yield firebase_verifier
    firebase_verifier.close()


async def refused(verifier: FirebaseVerifier, token: str) -> str:
    with pytest.raises(FirebaseTokenError) as caught:
        await verifier.verify(token)
    return caught.value.code


async def test_a_valid_token_gives_the_uid_phone_and_sign_in_time(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    signed_in_at = int(time.time()) - 5
    identity = await verifier.verify(fake.sign_id_token("resident-1", PHONE, issued_at=signed_in_at))

    assert identity.uid == "resident-1"
    assert identity.phone_number == PHONE
    assert int(identity.auth_time.timestamp()) == signed_in_at
    assert identity.auth_time.utcoffset() is not None
    # The library really fetched the keys, got an OAuth token with the service account, and looked
    # the user up: all from the local server, so nothing went to Google.
    assert fake.hits["certificates"] == 1
    assert fake.hits["token"] == 1
    assert fake.hits["lookup"] == 1
    assert fake.hits["unknown"] == 0


async def test_certificates_are_cached_as_the_endpoint_allows(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    for uid in ("resident-1", "resident-2", "resident-3"):
        await verifier.verify(fake.sign_id_token(uid, PHONE))

    assert fake.hits["certificates"] == 1
    assert fake.hits["token"] == 1  # the access token is reused until it expires
    assert fake.hits["lookup"] == 3  # revocation is checked on every sign-in


async def test_concurrent_sign_ins_all_verify(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    tokens = [fake.sign_id_token(f"resident-{n}", f"+62812000000{n:02d}") for n in range(8)]

    identities = await asyncio.gather(*(verifier.verify(token) for token in tokens))

    assert [identity.uid for identity in identities] == [f"resident-{n}" for n in range(8)]


async def test_an_expired_token_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE, issued_at=int(time.time()) - 7200, expires_in=3600)

    assert await refused(verifier, token) == "expired"


async def test_a_token_issued_in_the_future_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE, issued_at=int(time.time()) + 600)

    assert await refused(verifier, token) == "invalid"


async def test_a_token_for_another_project_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE, audience="someone-elses-project")

    assert await refused(verifier, token) == "invalid"


async def test_a_token_from_another_issuer_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE, issuer="https://securetoken.google.com/someone-elses-project")

    assert await refused(verifier, token) == "invalid"


async def test_a_token_signed_by_an_unknown_key_under_a_known_kid_is_refused(
    fake: FakeGoogle, verifier: FirebaseVerifier
) -> None:
    token = fake.sign_id_token("resident-1", PHONE, key=new_rsa_key())

    assert await refused(verifier, token) == "invalid"
    assert fake.hits["certificates"] == 1  # refused on the signature, after fetching the real keys
    assert fake.hits["lookup"] == 0


async def test_an_unsigned_token_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE, alg="none")

    assert await refused(verifier, token) == "invalid"


async def test_a_token_whose_kid_is_not_published_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE, kid="some-other-key")

    assert await refused(verifier, token) == "invalid"


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c", "x" * 10_000, "é.é.é"])
async def test_garbage_is_refused_as_invalid(fake: FakeGoogle, verifier: FirebaseVerifier, token: str) -> None:
    assert await refused(verifier, token) == "invalid"
    assert fake.hits["lookup"] == 0


async def test_a_disabled_user_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE)
    fake.disable_user("resident-1")

    assert await refused(verifier, token) == "disabled"


async def test_a_token_issued_before_revocation_is_refused_and_a_later_one_accepted(
    fake: FakeGoogle, verifier: FirebaseVerifier
) -> None:
    now = int(time.time())
    old_token = fake.sign_id_token("resident-1", PHONE, issued_at=now - 60)
    fake.revoke_tokens("resident-1", at=now - 30)
    new_token = fake.sign_id_token("resident-1", PHONE, issued_at=now - 10)

    assert await refused(verifier, old_token) == "revoked"
    assert (await verifier.verify(new_token)).uid == "resident-1"


async def test_a_token_of_a_deleted_user_is_refused(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    token = fake.sign_id_token("resident-1", PHONE)
    fake.delete_user("resident-1")

    assert await refused(verifier, token) == "unknown_user"


async def test_certificate_endpoint_failing_means_unavailable(fake: FakeGoogle, verifier: FirebaseVerifier) -> None:
    fake.certificates_status = 503
    token = fake.sign_id_token("resident-1", PHONE)

    with pytest.raises(FirebaseTokenError) as caught:
        await verifier.verify(token)

    assert caught.value.code == "unavailable"
    assert caught.value.http_status == 503
    assert fake.hits["certificates"] == 1


async def test_certificate_endpoint_unreachable_means_unavailable(fake: FakeGoogle) -> None:
    verifier = FirebaseVerifier(fake.settings(certificates_url=unused_local_url() + "/certs"))
    try:
        assert await refused(verifier, fake.sign_id_token("resident-1", PHONE)) == "unavailable"
    finally:
        verifier.close()


async def test_identity_toolkit_unreachable_means_unavailable(fake: FakeGoogle) -> None:
    verifier = FirebaseVerifier(fake.settings(auth_api_url=unused_local_url() + "/v1"))
    try:
        assert await refused(verifier, fake.sign_id_token("resident-1", PHONE)) == "unavailable"
    finally:
        verifier.close()


async def test_service_account_refused_by_identity_toolkit_means_unavailable(
    fake: FakeGoogle, verifier: FirebaseVerifier
) -> None:
    fake.lookup_status = 403

    assert await refused(verifier, fake.sign_id_token("resident-1", PHONE)) == "unavailable"


async def test_token_endpoint_unreachable_means_unavailable(fake: FakeGoogle) -> None:
    # A service account whose token_uri leads nowhere: the OAuth step fails inside google-auth.
    document = fake.credentials_file.read_text().replace(fake.token_uri, unused_local_url() + "/token")
    fake.credentials_file.write_text(document)
    broken = FirebaseVerifier(fake.settings())
    try:
        assert await refused(broken, fake.sign_id_token("resident-1", PHONE)) == "unavailable"
    finally:
        broken.close()


async def test_two_verifiers_in_one_process_keep_their_own_endpoints() -> None:
    with FakeGoogle("project-a") as fake_a, FakeGoogle("project-b", signing_key=new_rsa_key()) as fake_b:
        verifier_a = FirebaseVerifier(fake_a.settings())
        verifier_b = FirebaseVerifier(fake_b.settings())
        try:
            token_a = fake_a.sign_id_token("resident-a", PHONE)
            token_b = fake_b.sign_id_token("resident-b", PHONE)

            assert (await verifier_a.verify(token_a)).uid == "resident-a"
            assert (await verifier_b.verify(token_b)).uid == "resident-b"
            assert await refused(verifier_a, token_b) == "invalid"
            assert await refused(verifier_b, token_a) == "invalid"
        finally:
            verifier_a.close()
            verifier_b.close()
        assert fake_a.hits["certificates"] == 1
        assert fake_b.hits["certificates"] == 1


async def test_application_default_credentials_are_used_without_a_credentials_file(
    fake: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # google-auth's own discovery, fed the fake's service account through the standard variable.
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(fake.credentials_file))
    verifier = FirebaseVerifier(fake.settings(credentials_file=None))
    try:
        assert (await verifier.verify(fake.sign_id_token("resident-1", PHONE))).uid == "resident-1"
        assert fake.hits["token"] == 1
    finally:
        verifier.close()
    verifier.close()  # a second close (say, from two shutdown paths) is harmless


async def test_emulator_mode_is_refused(
    fake: FakeGoogle, verifier: FirebaseVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In emulator mode firebase-admin accepts unsigned tokens: neither start-up nor a later
    # verification may go ahead with the variable set.
    monkeypatch.setenv(EMULATOR_HOST_VARIABLE, "127.0.0.1:9099")

    with pytest.raises(FirebaseConfigurationError, match=EMULATOR_HOST_VARIABLE):
        FirebaseVerifier(fake.settings())
    assert await refused(verifier, fake.sign_id_token("resident-1", PHONE, alg="none")) == "unavailable"
    assert fake.hits["certificates"] == 0


def test_a_missing_credentials_file_is_a_configuration_error(fake: FakeGoogle) -> None:
    with pytest.raises(FirebaseConfigurationError, match="credentials file"):
        FirebaseVerifier(fake.settings(credentials_file=str(fake.credentials_file) + ".missing"))
