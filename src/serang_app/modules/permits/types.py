"""Permit types: the form, the documents, the agency, the SLA, the validity; read by everyone,
edited by admins."""

from __future__ import annotations

import asyncpg
import msgspec

from serang_app.api import (
    ApiError,
    LocalizedFieldError,
    agency_problems,
    definition_problems,
    sent_fields,
    update_row,
)
from serang_app.modules.permits.schemas import DocumentRequirement, PermitType, PermitTypeChanges, PermitTypeDraft

_COLUMNS = """code, title, description, opd_code, sla_days, validity_days, needs_supervisor, fields, documents,
number_prefix, is_active, sort_order"""


def _permit_type(row: asyncpg.Record) -> PermitType:
    return msgspec.convert(dict(row), PermitType)


async def permit_types(connection: asyncpg.Connection) -> list[PermitType]:
    """The types residents may apply for, in the app's order."""
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM permits.types WHERE is_active ORDER BY sort_order, code"  # noqa: S608
    )
    return [_permit_type(row) for row in rows]


async def permit_type(connection: asyncpg.Connection, code: str) -> PermitType | None:
    """A type, open or closed: applications already made keep going after it closes."""
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM permits.types WHERE code = $1",  # noqa: S608
        code,
    )
    return _permit_type(row) if row else None


async def create_permit_type(connection: asyncpg.Connection, draft: PermitTypeDraft) -> PermitType:
    await _check(connection, draft.opd_code, draft)
    values = msgspec.to_builtins(draft)
    names = [name.strip() for name in _COLUMNS.split(",")]
    try:
        row = await connection.fetchrow(
            f"""INSERT INTO permits.types ({_COLUMNS})
                VALUES ({", ".join(f"${position}" for position in range(1, len(names) + 1))})
                RETURNING {_COLUMNS}""",  # noqa: S608 (constant columns)
            *(values[name] for name in names),
        )
    except asyncpg.UniqueViolationError:
        raise ApiError(409, "permits_type_exists", params={"code": draft.code}) from None
    assert row is not None  # an INSERT ... RETURNING returns its row
    return _permit_type(row)


async def change_permit_type(connection: asyncpg.Connection, code: str, changes: PermitTypeChanges) -> PermitType:
    changed = sent_fields(changes)
    await _check(connection, changed.get("opd_code"), changes)
    row = await update_row(connection, "permits.types", "code", code, changed, _COLUMNS)
    if row is None:
        raise ApiError(404)
    return _permit_type(row)


async def _check(
    connection: asyncpg.Connection, opd_code: str | None, definition: PermitTypeDraft | PermitTypeChanges
) -> None:
    """Every problem of the form, the documents and the agency at once."""
    problems: list[LocalizedFieldError] = []
    if not isinstance(definition.fields, msgspec.UnsetType):
        problems += definition_problems(definition.fields, prefix="fields")
    if not isinstance(definition.documents, msgspec.UnsetType):
        problems += _document_problems(definition.documents)
    if opd_code is not None:
        problems += await agency_problems(connection, opd_code)
    if problems:
        raise ApiError(422, errors=problems)


def _document_problems(documents: list[DocumentRequirement]) -> list[LocalizedFieldError]:
    problems: list[LocalizedFieldError] = []
    seen: set[str] = set()
    for index, document in enumerate(documents):
        if document.code in seen:
            problems.append(LocalizedFieldError(f"documents[{index}].code", "Kode dipakai dua kali", "Code used twice"))
        seen.add(document.code)
        if len(set(document.kinds)) != len(document.kinds):
            problems.append(
                LocalizedFieldError(
                    f"documents[{index}].kinds", "Jenis berkas dipakai dua kali", "A kind is listed twice"
                )
            )
    return problems
