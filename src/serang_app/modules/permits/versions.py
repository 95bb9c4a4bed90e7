"""A published version of a service definition, as the machinery uses it: the form and documents
an application is checked against, the agency and SLA its case opens with, who approves, and the
letter it ends with. Permit types are definitions too (their `permit_prefix` set)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from serang_app.api import Text, writable
from serang_app.modules.permits.definition import DefinitionFile, LetterTemplate, ServiceField
from serang_app.modules.permits.schemas import DocumentRequirement

# The catalogue entry every permit type is reached through (the front door of permits).
PERMITS_SERVICE = "permits.apply"

_LATEST = """
SELECT d.code, v.version, v.body, d.permit_prefix, d.closed_at IS NULL AS is_open
FROM permits.definitions d JOIN permits.definition_versions v ON v.code = d.code AND v.version = d.published_version
WHERE d.code = $1
"""
_FILED = """
SELECT d.code, v.version, v.body, d.permit_prefix, d.closed_at IS NULL AS is_open
FROM permits.definitions d JOIN permits.definition_versions v ON v.code = d.code
WHERE d.code = $1 AND v.version = $2
"""


@dataclass(frozen=True, slots=True)
class ServiceVersion:
    code: str
    # None: a draft an admin previews or tries, never filed.
    version: int | None
    definition: DefinitionFile
    permit_prefix: str | None
    is_open: bool

    @property
    def title(self) -> Text:
        return Text(id=self.definition.title.id, en=self.definition.title.en)

    @property
    def description(self) -> Text:
        return Text(id=self.definition.description.id, en=self.definition.description.en)

    @property
    def fields(self) -> list[ServiceField]:
        return self.definition.fields

    @property
    def documents(self) -> list[DocumentRequirement]:
        return self.definition.documents

    @property
    def opd_code(self) -> str:
        return self.definition.agency

    @property
    def sla_days(self) -> int:
        return self.definition.sla_days

    @property
    def needs_supervisor(self) -> bool:
        return self.definition.workflow.approval == "supervisor"

    @property
    def letter(self) -> LetterTemplate | None:
        return self.definition.letter

    @property
    def service_code(self) -> str:
        """The catalogue entry its cases count under: its own, or the permits' front door."""
        return PERMITS_SERVICE if self.permit_prefix else f"permits.{self.code}"


def version_of(row: asyncpg.Record) -> ServiceVersion:
    return ServiceVersion(
        code=row["code"],
        version=row["version"],
        definition=_stored_definition(row["body"]),
        permit_prefix=row["permit_prefix"],
        is_open=row["is_open"],
    )


def _stored_definition(body: Any) -> DefinitionFile:
    """A stored definition was checked when saved; one holding a character the text rules refuse
    (written before them, or by hand in the database) is read with each such character replaced by
    U+FFFD, as the PDF writers do, rather than failing every application filed under it."""
    try:
        return msgspec.convert(body, DefinitionFile)
    except msgspec.ValidationError:
        return msgspec.convert(_writable(body), DefinitionFile)


def _writable(value: Any) -> Any:
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, list):
        return [_writable(item) for item in value]
    if isinstance(value, dict):
        return {key: _writable(item) for key, item in value.items()}
    return value


async def latest_version(connection: asyncpg.Connection, code: str) -> ServiceVersion | None:
    """The latest published version, open or closed; None before the first publication."""
    row = await connection.fetchrow(_LATEST, code)
    return version_of(row) if row else None


async def filed_version(connection: asyncpg.Connection, code: str, version: int | None) -> ServiceVersion:
    """The version an application was filed under; a draft (`version` None) follows the latest."""
    row = await (
        connection.fetchrow(_FILED, code, version) if version is not None else connection.fetchrow(_LATEST, code)
    )
    assert row is not None  # versions are never deleted, and an application names a published one
    return version_of(row)
