"""Staff passwords, stored only as argon2id hashes (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Checked against when the e-mail is unknown, so the answer takes as long as for a real account:
# a hash made once with _hasher's parameters (tests/test_staff_sign_in.py keeps them the same).
# Written out rather than hashed at import, which cost every process that imports the app a
# tenth of a second of CPU (each server worker, each CLI command).
UNKNOWN_ACCOUNT_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$lE8Ly+Xc9cOeTNn6iPb4Nw$zZV3XoV23JKq1wqiS4KnbGlb01Z0Lt0NS8Ky56J/gSY"
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def hash_password_async(password: str) -> str:
    # About 50 ms of CPU: off the event loop, so other requests go on meanwhile.
    return await asyncio.to_thread(_hasher.hash, password)


async def password_matches(stored_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored_hash or UNKNOWN_ACCOUNT_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)
