"""The keys that sign access tokens, and the stand-in secrets of development mode.

Access tokens are signed with Ed25519 (EdDSA). An asymmetric algorithm means a verifying replica
could hold only public keys, and pinning the one algorithm shuts out "alg: none" and the old trick
of an HS256 token signed with a public key.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from serang_app.auth.key_material import (
    KEY_BYTES,
    UnsafeKeyError,
    development_secret,
    jwt_seeds,
    nik_encryption_keys,
    single_key,
)
from serang_app.residents.nik import NikVault
from serang_app.settings import Settings, SettingsError

ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class SigningKeys:
    signing_kid: str
    signing_key: Ed25519PrivateKey
    verifying: dict[str, Ed25519PublicKey]


def parse_jwt_keys(value: str) -> SigningKeys:
    """Read "kid:base64seed,kid:base64seed"; the first key signs, every key verifies."""
    try:
        seeds = jwt_seeds(value)
    except UnsafeKeyError as problem:
        raise SettingsError(str(problem)) from None
    keys = [(kid, Ed25519PrivateKey.from_private_bytes(seed)) for kid, seed in seeds]
    return SigningKeys(
        signing_kid=keys[0][0],
        signing_key=keys[0][1],
        verifying={kid: key.public_key() for kid, key in keys},
    )


def signing_keys(settings: Settings) -> SigningKeys:
    return parse_jwt_keys(settings.jwt_keys or f"dev:{development_secret('jwt')}")


def nik_vault(settings: Settings) -> NikVault:
    """The NIK keys: every version of SERANG_NIK_ENCRYPTION_KEYS (or the single key of
    SERANG_NIK_ENCRYPTION_KEY as version 1) and the index key; development stand-ins when unset."""
    try:
        if settings.nik_encryption_keys is not None:
            versions = nik_encryption_keys(settings.nik_encryption_keys)
        else:
            key = settings.nik_encryption_key or development_secret("nik encryption")
            versions = [(1, single_key("SERANG_NIK_ENCRYPTION_KEY", key))]
        index_key = single_key("SERANG_NIK_INDEX_KEY", settings.nik_index_key or development_secret("nik index"))
        return NikVault.from_versions(versions, index_key)
    except UnsafeKeyError as problem:
        raise SettingsError(str(problem)) from None
    except ValueError as problem:
        raise SettingsError(f"SERANG_NIK_INDEX_KEY: {problem}") from None


def storage_signing_key(settings: Settings) -> bytes:
    """The key that signs the local storage backend's URLs, a development stand-in when unset."""
    try:
        key = base64.b64decode(settings.storage_signing_key or development_secret("local storage"), validate=True)
    except binascii.Error:
        key = b""
    if len(key) < 32:
        raise SettingsError("SERANG_STORAGE_SIGNING_KEY: expected base64 of at least 32 bytes")
    return key


def new_secrets() -> dict[str, str]:
    """Fresh production secrets of the app, for `serang-app secrets`."""

    def key() -> str:
        return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()

    return {
        "SERANG_STORAGE_SIGNING_KEY": key(),
        "SERANG_JWT_KEYS": f"k1:{key()}",
        "SERANG_NIK_ENCRYPTION_KEYS": f"v1:{key()}",
        "SERANG_NIK_INDEX_KEY": key(),
        "SERANG_METRICS_TOKEN": secrets.token_urlsafe(KEY_BYTES),
    }


def new_compose_secrets() -> dict[str, str]:
    """Fresh credentials of the services compose.yaml runs beside the app, for `serang-app secrets`.

    Hexadecimal, since the database password goes into DATABASE_URL as it is. The S3 pair is the
    object store's administrator key, which the app also signs with.
    """
    return {
        "POSTGRES_PASSWORD": secrets.token_hex(KEY_BYTES),
        "S3_ACCESS_KEY_ID": f"serang{secrets.token_hex(8)}",
        "S3_SECRET_ACCESS_KEY": secrets.token_hex(KEY_BYTES),
        # pgBackRest's passphrase for the backups it encrypts (docs/deployment.md, "Back up and restore").
        "BACKUP_CIPHER_PASS": secrets.token_hex(KEY_BYTES),
    }
