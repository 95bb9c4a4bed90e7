"""What an application's answer carries besides its own row: the revision asked for, with the
titles of what to fix, and the issued permit with its number, validity, agency and verification
URL, so the app never parses a note or the PDF for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from serang_app.api import Text
from serang_app.modules.permits.schemas import (
    Agency,
    IssuedPermit,
    RevisionAsked,
    Titled,
    VerificationStatus,
)
from serang_app.modules.permits.versions import ServiceVersion


def verification_url(base_url: str, code: str) -> str:
    """The page the QR code opens: on the configured public origin, never the request's Host."""
    return f"{base_url.rstrip('/')}/v1/permits/verify/{code}"


def permit_status(revoked_at: datetime | None, expires_at: datetime | None) -> VerificationStatus:
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= datetime.now(UTC):
        return "expired"
    return "valid"


def issued_permit(row: asyncpg.Record, base_url: str) -> IssuedPermit:
    """From a row holding the issued permit's columns and its agency's code and name."""
    return IssuedPermit(
        number=row["number"],
        status=permit_status(row["revoked_at"], row["expires_at"]),
        valid_from=row["issued_at"],
        valid_until=row["expires_at"],
        issuing_agency=Agency(code=row["opd_code"], name=row["opd_name"]),
        verification_url=verification_url(base_url, row["verification_code"]),
    )


def revision_asked(stored: dict[str, Any], kind: ServiceVersion) -> RevisionAsked:
    """The stored request (codes) with the type's titles. A code the type no longer has (an admin
    changed the form since) keeps its code as its title rather than disappearing."""
    field_titles = {field.code: Text(id=field.description.id, en=field.description.en) for field in kind.fields}
    document_titles = {document.code: Text(id=document.title.id, en=document.title.en) for document in kind.documents}
    return RevisionAsked(
        note=stored["note"],
        fields=[_titled(code, field_titles) for code in stored.get("fields", [])],
        documents=[_titled(code, document_titles) for code in stored.get("documents", [])],
    )


def timeline_note(note: str, fields: list[Titled], documents: list[Titled]) -> str:
    """The note on the case's timeline, naming what to fix by title in both languages rather than
    by code: `... Perbaiki / Fix: Lokasi (Location); Persetujuan lahan (Land consent)`."""
    named = [*fields, *documents]
    if not named:
        return note
    return f"{note}\nPerbaiki / Fix: " + "; ".join(f"{item.title.id} ({item.title.en})" for item in named)


def _titled(code: str, titles: dict[str, Text]) -> Titled:
    return Titled(code=code, title=titles.get(code, Text(id=code, en=code)))
