"""The keys that sign access tokens, and the stand-in secrets of development mode.

Access tokens are signed with Ed25519 (EdDSA). An asymmetric algorithm means a verifying replica
could hold only public keys, and pinning the one algorithm shuts out "alg: none" and the old trick
of an HS256 token signed with a public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from serang_app.settings import Settings, SettingsError

ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class SigningKeys:
    signing_kid: str
    signing_key: Ed25519PrivateKey
    verifying: dict[str, Ed25519PublicKey]


def parse_jwt_keys(value: str) -> SigningKeys:
    """Read "kid:base64seed,kid:base64seed"; the first key signs, every key verifies."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if not entries:
        raise SettingsError("SERANG_JWT_KEYS: expected at least one kid:base64 entry")
    keys: list[tuple[str, Ed25519PrivateKey]] = []
    for entry in entries:
        kid, _, encoded = entry.partition(":")
        if not kid or not encoded:
            raise SettingsError("SERANG_JWT_KEYS: each entry must be kid:base64-of-32-bytes")
        try:
            seed = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise SettingsError(f"SERANG_JWT_KEYS: key {kid!r} is not valid base64") from None
        if len(seed) != 32:
            raise SettingsError(f"SERANG_JWT_KEYS: key {kid!r} must be 32 bytes")
        keys.append((kid, Ed25519PrivateKey.from_private_bytes(seed)))
    if len({kid for kid, _ in keys}) != len(keys):
        raise SettingsError("SERANG_JWT_KEYS: key ids must be unique")
    return SigningKeys(
        signing_kid=keys[0][0],
        signing_key=keys[0][1],
        verifying={kid: key.public_key() for kid, key in keys},
    )


def _development_secret(purpose: str) -> str:
    # Stable across processes and restarts, so tokens survive `make run` restarts and several
    # workers agree. Never used in production: settings refuse production without real secrets.
    return base64.b64encode(hashlib.sha256(f"serang-app development {purpose}".encode()).digest()).decode()


def signing_keys(settings: Settings) -> SigningKeys:
    return parse_jwt_keys(settings.jwt_keys or f"dev:{_development_secret('jwt')}")


def nik_keys(settings: Settings) -> tuple[str, str]:
    """The NIK encryption and index keys (base64), development stand-ins when unset."""
    return (
        settings.nik_encryption_key or _development_secret("nik encryption"),
        settings.nik_index_key or _development_secret("nik index"),
    )


def storage_signing_key(settings: Settings) -> bytes:
    """The key that signs the local storage backend's URLs, a development stand-in when unset."""
    try:
        key = base64.b64decode(settings.storage_signing_key or _development_secret("local storage"), validate=True)
    except binascii.Error:
        key = b""
    if len(key) < 32:
        raise SettingsError("SERANG_STORAGE_SIGNING_KEY: expected base64 of at least 32 bytes")
    return key


def new_secrets() -> dict[str, str]:
    """Fresh production secrets, for `serang-app secrets`."""
    return {
        "SERANG_STORAGE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "SERANG_JWT_KEYS": f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "SERANG_NIK_ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "SERANG_NIK_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
