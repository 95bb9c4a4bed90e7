"""Signing in as a resident or as staff, the way the app and the admin console do."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
from argon2 import PasswordHasher

POLICY = "2026-11"
STAFF_PASSWORD = "kata-sandi-staf-123"
# The staff made here sign in hundreds of times a run. Their hash is argon2id like every staff
# password, made with argon2's smallest costs: checking a password reads the costs from the hash,
# so sign-in runs the same code in a millisecond instead of a tenth of a second of CPU. Hashes
# that production makes are checked for its own costs (test_admin.py, test_settings_and_cli.py).
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(STAFF_PASSWORD)


async def resident_tokens(client: httpx.AsyncClient, phone: str) -> dict[str, Any]:
    response = await client.post("/v1/auth/dev", json={"phone": phone, "consent_policy_version": POLICY})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def resident(client: httpx.AsyncClient, name: str | None = None, *, phone: str | None = None) -> dict[str, str]:
    """A resident signed in with `phone` (a new number by default) and, when given, this name:
    their Authorization header."""
    number = phone if phone is not None else f"+62819{uuid.uuid4().int % 10**8:08d}"
    auth = bearer(await resident_tokens(client, number))
    if name is not None:
        named = await client.patch("/v1/me", json={"name": name}, headers=auth)
        assert named.status_code == 200, named.text
    return auth


async def create_staff(database_url: str, email: str, role: str, opd_code: str | None = "DPUPR") -> uuid.UUID:
    connection = await asyncpg.connect(database_url)
    try:
        staff_id: uuid.UUID = await connection.fetchval(
            "INSERT INTO staff (email, name, password_hash, role, opd_code) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            email,
            "Staf Uji",
            _PASSWORD_HASH,
            role,
            opd_code,
        )
    finally:
        await connection.close()
    return staff_id


async def staff_tokens(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await client.post("/v1/staff/auth/login", json={"email": email, "password": STAFF_PASSWORD})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def signed_in_staff(
    client: httpx.AsyncClient, database_url: str, role: str, opd_code: str | None = "DPUPR"
) -> dict[str, str]:
    """A new staff account of this role and agency, signed in: its Authorization header."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@serangkab.go.id"
    await create_staff(database_url, email, role, opd_code)
    return bearer(await staff_tokens(client, email))


def full_width(text: str) -> str:
    """The same text in full-width forms (U+FF01 to U+FF5E), as some phone keyboards type it."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)
