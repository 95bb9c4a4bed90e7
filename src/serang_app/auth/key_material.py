"""Key bytes: reading them, the development stand-ins, and the keys production refuses.

Production refuses a key that someone else may hold or that protects less than it seems to:
- one that has been published: the trial keys compose.yaml once carried, the fixed keys of the
  tests, and the development stand-ins, whose recipe is in this file;
- one too short to be a key;
- one key serving two purposes (a NIK key equal to the other NIK key or to a token-signing key):
  whoever learns it for one purpose then holds the other too.
Keys that are listed to be rotated (SERANG_JWT_KEYS by key id, SERANG_NIK_ENCRYPTION_KEYS by key
version) are checked one by one, the old ones kept for verifying or decrypting included.

This module imports nothing of the app, so that settings.py can run the check while it loads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence

KEY_BYTES = 32

# SHA-256 of the decoded bytes of every key value ever written in this repository (its whole
# history, docs included): compose.yaml's trial keys before issue 18 (JWT, NIK encryption, NIK
# index) and the fixed keys of tests/test_tokens.py (32 times "1", "2" and "x"). Fingerprints, not
# the values: this list must not publish the keys once more or hand a secret scanner a finding,
# and a key that leaks elsewhere can be added without writing it down again.
PUBLISHED_KEY_FINGERPRINTS = frozenset(
    {
        "2045064b0a7b6d5ba8f53d950adf9a4066c3a8087d6ceddbcd805a80ff3938b9",
        "d97320d204f4bc307ab54fbd6c0deab53e0d8558b1afd7bb45ebdde1869727cb",
        "1a54e46aac138d578587c5b7e6e2579facf22e57079d202745875b0db3445fad",
        "8a83665f3798727f14f92ad0e6c99fdab08ee731d6cd644c131223fd2f4fed2a",
        "0d6ba19b62531ccb0deb8804313eca283c69560f66f1b7b8a2c1592ae8c35c6b",
        "c62e4615bd39e222572f3a1bf7c2132ea1e65b17ec805047bd6b2842c593493f",
    }
)
DEVELOPMENT_PURPOSES = ("jwt", "nik encryption", "nik index", "local storage")
# Keys used as they are by one cipher (AES-256-GCM, HMAC-SHA256 in residents/nik.py); the other
# keys take 32 bytes or more.
_EXACT_LENGTH = frozenset({"SERANG_NIK_ENCRYPTION_KEY", "SERANG_NIK_INDEX_KEY"})
_MAKE_ONE = "make new ones with `serang-app secrets`"


class UnsafeKeyError(ValueError):
    """A key that is malformed or that production must not use.

    The message is one line that starts with the environment variable and never holds the key.
    """


def development_secret(purpose: str) -> str:
    # Stable across processes and restarts, so tokens survive `make run` restarts and several
    # workers agree. Never used in production: settings refuse production without real secrets,
    # and refuse these very values (they are published by this recipe).
    return base64.b64encode(hashlib.sha256(f"serang-app development {purpose}".encode()).digest()).decode()


def jwt_seeds(value: str) -> list[tuple[str, bytes]]:
    """Read SERANG_JWT_KEYS, "kid:base64seed,kid:base64seed": each key id with its Ed25519 seed."""
    return _labelled_keys("SERANG_JWT_KEYS", value, "key id")


# A NIK key version is stored as the first byte of each ciphertext (residents/nik.py); 0 is kept
# out so that a version always reads as "vN" with N from 1.
_NIK_VERSION = re.compile(r"v([1-9][0-9]{0,2})")
NIK_VERSIONS = range(1, 256)


def nik_encryption_keys(value: str) -> list[tuple[int, bytes]]:
    """Read SERANG_NIK_ENCRYPTION_KEYS, "v2:base64,v1:base64": each key version with its AES key.

    The first entry encrypts; every entry decrypts, so an old version stays listed until
    `serang-app nik rotate` has re-encrypted the NIKs it protects.
    """
    variable = "SERANG_NIK_ENCRYPTION_KEYS"
    versions: list[tuple[int, bytes]] = []
    for label, key in _labelled_keys(variable, value, "key version"):
        match = _NIK_VERSION.fullmatch(label)
        if match is None or int(match[1]) not in NIK_VERSIONS:
            raise UnsafeKeyError(f"{variable}: key version {label!r} must be v1 to v255")
        versions.append((int(match[1]), key))
    return versions


def _labelled_keys(variable: str, value: str, label: str) -> list[tuple[str, bytes]]:
    """Read "label:base64,label:base64", each key exactly KEY_BYTES long, labels unique."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if not entries:
        raise UnsafeKeyError(f"{variable}: expected at least one entry, {label}:base64")
    keys: list[tuple[str, bytes]] = []
    for entry in entries:
        name, _, encoded = entry.partition(":")
        if not name or not encoded:
            raise UnsafeKeyError(f"{variable}: each entry must be {label}:base64-of-32-bytes")
        key = _decode(encoded)
        if key is None:
            raise UnsafeKeyError(f"{variable}: key {name!r} is not valid base64")
        if len(key) != KEY_BYTES:
            raise UnsafeKeyError(f"{variable}: key {name!r} must be {KEY_BYTES} bytes")
        keys.append((name, key))
    if len({name for name, _ in keys}) != len(keys):
        raise UnsafeKeyError(f"{variable}: each {label} must be listed once")
    return keys


def refuse_unsafe_production_keys(keys: Mapping[str, str | None]) -> None:
    """Raise UnsafeKeyError for the first published, short or reused key.

    ``keys`` maps each key's environment variable to its value, None when unset. Every key of
    SERANG_JWT_KEYS counts, the verifying ones too: a token signed with any of them is accepted.
    """
    refused = _refused_fingerprints()
    first_use: dict[bytes, str] = {}
    for variable, value in keys.items():
        if value is None:
            continue
        for subject, reference, key in _named_keys(variable, value):
            if hashlib.sha256(key).hexdigest() in refused:
                raise UnsafeKeyError(f"{subject} has been published, so anyone may hold it; {_MAKE_ONE}")
            if key in first_use:
                raise UnsafeKeyError(f"{subject} is the same as {first_use[key]}; every purpose needs its own key")
            first_use[key] = reference


def _named_keys(variable: str, value: str) -> list[tuple[str, str, bytes]]:
    """Each key of the variable: how a message names it first, how it refers to it, its bytes."""
    if variable in _KEY_LISTS:
        return [
            (f"{variable}: key {label!r}", f"key {label!r} of {variable}", key)
            for label, key in _KEY_LISTS[variable](value)
        ]
    return [(f"{variable}: this key", variable, single_key(variable, value))]


def single_key(variable: str, value: str) -> bytes:
    """Read a variable that holds one base64 key, checking its length."""
    key = _decode(value.strip())
    if key is None:
        raise UnsafeKeyError(f"{variable}: expected base64 of {KEY_BYTES} random bytes")
    if len(key) < KEY_BYTES or (variable in _EXACT_LENGTH and len(key) != KEY_BYTES):
        raise UnsafeKeyError(f"{variable}: expected {KEY_BYTES} random bytes, got {len(key)}; {_MAKE_ONE}")
    return key


# The variables that hold a list of labelled keys, and how each is read.
_KEY_LISTS: dict[str, Callable[[str], Sequence[tuple[str, bytes]]]] = {
    "SERANG_JWT_KEYS": jwt_seeds,
    "SERANG_NIK_ENCRYPTION_KEYS": lambda value: [(f"v{version}", key) for version, key in nik_encryption_keys(value)],
}


def _decode(encoded: str) -> bytes | None:
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        return None


def _refused_fingerprints() -> frozenset[str]:
    stand_ins = (base64.b64decode(development_secret(purpose)) for purpose in DEVELOPMENT_PURPOSES)
    return PUBLISHED_KEY_FINGERPRINTS | {hashlib.sha256(key).hexdigest() for key in stand_ins}
