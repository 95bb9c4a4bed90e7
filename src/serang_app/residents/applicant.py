"""What a module may learn about an applicant to decide whether they may apply and to print the
letter they applied for (core API 1.5): the name, whether they live in the region (a district
set on the profile), and the NIK, decrypted only for a document the applicant receives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from litestar.datastructures import State

from serang_app.app_state import nik_vault_of

_APPLICANT = "SELECT name, district_code, nik_ciphertext FROM residents WHERE id = $1 AND erased_at IS NULL"


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str | None
    # A district of the served region set on the profile (the profile refuses any other).
    lives_in_region: bool
    has_nik: bool
    # Personal data: print it only on a document for the applicant; never log it.
    nik: str | None


async def applicant_of(
    connection: asyncpg.Connection, resident_id: uuid.UUID, *, nik_from: State | None = None
) -> Applicant | None:
    """None for an unknown or erased account. The NIK is decrypted only when asked for, with the
    app's state (`request.app.state`) holding the key: `nik` is None otherwise."""
    row = await connection.fetchrow(_APPLICANT, resident_id)
    if row is None:
        return None
    ciphertext = row["nik_ciphertext"]
    return Applicant(
        name=row["name"],
        lives_in_region=row["district_code"] is not None,
        has_nik=ciphertext is not None,
        nik=nik_vault_of(nik_from).decrypt(ciphertext) if ciphertext is not None and nik_from is not None else None,
    )
