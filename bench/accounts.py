"""A signed-in resident for the authenticated rows: an access token and one refresh token per connection.

The service runs in production mode, where dev sign-in answers 404 and Firebase is not set up, so
the resident is inserted directly and its tokens are issued with the same code and keys the
service uses (the throw-away SERANG_JWT_KEYS of servers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys
from serang_app.auth.refresh_tokens import start_family


@dataclass(frozen=True, slots=True)
class BenchResident:
    access_token: str
    refresh_tokens: list[str]


async def bench_resident(dsn: str, jwt_keys: str, sessions: int) -> BenchResident:
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        async with connection.transaction():
            resident_id = await connection.fetchval(
                "INSERT INTO residents (phone, name) VALUES ('+6280000000001', 'Bench Resident') RETURNING id"
            )
            subject = AccessSubject(kind="resident", id=resident_id)
            # One family per connection: a refresh token is single-use, so each connection follows
            # its own chain of tokens.
            families = [await start_family(connection, subject, timedelta(days=1)) for _ in range(sessions)]
    finally:
        await connection.close()
    # An hour is longer than any run; the service verifies it like any other token.
    access_token = AccessTokens(parse_jwt_keys(jwt_keys), 3600).issue(subject)
    return BenchResident(access_token=access_token, refresh_tokens=[family.token for family in families])
