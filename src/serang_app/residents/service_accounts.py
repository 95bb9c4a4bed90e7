"""Resident accounts that are not a person: a system that files requests on residents' behalf
(an Open311 client) gets one, so what it files is a case like any other."""

from __future__ import annotations

import uuid

import asyncpg


async def create_service_resident(connection: asyncpg.Connection, name: str) -> uuid.UUID:
    """In the caller's transaction: a new account with a display name only (no phone, no NIK, no
    Firebase identity, so nobody can sign in as it); its id."""
    resident_id: uuid.UUID = await connection.fetchval("INSERT INTO residents (name) VALUES ($1) RETURNING id", name)
    return resident_id
