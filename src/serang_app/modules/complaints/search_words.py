"""What staff search a complaint by (docs/complaints.md): the resident's description and address,
and their name unless they filed anonymously (anonymity keeps the name from the search as from
the public)."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.api import CaseWords

_WORDS = """
SELECT case_id, description, address, is_anonymous FROM complaints.reports WHERE case_id = ANY($1::uuid[])
"""


def complaint_words(description: str, address: str | None, *, anonymous: bool) -> CaseWords:
    return CaseWords(words=(description, address or ""), resident_findable=not anonymous)


async def read_complaint_words(connection: asyncpg.Connection, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, CaseWords]:
    """The words of complaints filed before they were indexed, for the worker's backfill."""
    rows = await connection.fetch(_WORDS, case_ids)
    return {
        row["case_id"]: complaint_words(row["description"], row["address"], anonymous=row["is_anonymous"])
        for row in rows
    }
