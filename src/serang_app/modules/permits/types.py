"""Permit types: service definitions with a number prefix, served in the shape apps in the field
know (`/v1/permits/types`). Adding a type creates and publishes a definition; changing one
publishes its next version; `is_active: false` closes it."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from serang_app.api import (
    ApiError,
    Attribute,
    LocalizedFieldError,
    agency_problems,
    definition_problems,
    sent_fields,
)
from serang_app.modules.permits import definitions
from serang_app.modules.permits.definition import (
    FORMAT,
    DefinitionFile,
    LetterBody,
    LetterTemplate,
    Requirements,
    ServiceField,
    ServiceWorkflow,
)
from serang_app.modules.permits.documents import document_problems
from serang_app.modules.permits.schemas import PermitType, PermitTypeChanges, PermitTypeDraft
from serang_app.modules.permits.versions import ServiceVersion, version_of

_PERMIT_TYPES = """
SELECT d.code, v.version, v.body, d.permit_prefix, d.closed_at IS NULL AS is_open
FROM permits.definitions d JOIN permits.definition_versions v ON v.code = d.code AND v.version = d.published_version
WHERE d.permit_prefix IS NOT NULL
"""
# What a permit's definition says in its letter text (a permit prints only its table).
_PERMIT_BODY = LetterBody(
    id="Diberikan kepada {resident.name} berdasarkan permohonan {reference}.",
    en="Granted to {resident.name} on application {reference}.",
)


def permit_type_of(kind: ServiceVersion) -> PermitType:
    definition = kind.definition
    assert kind.permit_prefix is not None
    return PermitType(
        code=kind.code,
        title=kind.title,
        description=kind.description,
        opd_code=definition.agency,
        sla_days=definition.sla_days,
        validity_days=definition.letter.validity_days if definition.letter else None,
        needs_supervisor=kind.needs_supervisor,
        fields=[Attribute(**_attribute(field)) for field in definition.fields],
        documents=definition.documents,
        number_prefix=kind.permit_prefix,
        is_active=kind.is_open,
        sort_order=definition.sort_order,
    )


async def permit_types(connection: asyncpg.Connection) -> list[PermitType]:
    """The types residents may apply for, in the app's order."""
    rows = await connection.fetch(
        _PERMIT_TYPES + "AND d.closed_at IS NULL ORDER BY (v.body->>'sort_order')::integer, d.code"
    )
    return [permit_type_of(version_of(row)) for row in rows]


async def permit_type(connection: asyncpg.Connection, code: str) -> PermitType | None:
    row = await connection.fetchrow(_PERMIT_TYPES + "AND d.code = $1", code)
    return permit_type_of(version_of(row)) if row else None


async def create_permit_type(connection: asyncpg.Connection, draft: PermitTypeDraft) -> PermitType:
    """Inside a transaction: the definition, published as version 1 (closed when not active)."""
    await _check(connection, draft.opd_code, draft)
    definition = DefinitionFile(
        format=FORMAT,
        code=draft.code,
        title=draft.title,
        description=draft.description,
        agency=draft.opd_code,
        eligibility="any_resident",
        requirements=Requirements(id=draft.description.id, en=draft.description.en),
        fields=[ServiceField(**_attribute(field)) for field in draft.fields],
        documents=draft.documents,
        workflow=ServiceWorkflow(
            approval="supervisor" if draft.needs_supervisor else "officer", revisions=True, outcome="letter"
        ),
        appointment=None,
        sla_days=draft.sla_days,
        letter=LetterTemplate(
            title=draft.title,
            body=_PERMIT_BODY,
            signatory=None,
            number_pattern=f"{draft.number_prefix}/{{year}}/{{seq}}",
            validity_days=draft.validity_days,
        ),
        sort_order=draft.sort_order,
    )
    exists = await connection.fetchval("SELECT 1 FROM permits.definitions WHERE code = $1", draft.code)
    if exists:
        raise ApiError(409, "permits_type_exists", params={"code": draft.code})
    await definitions.create_definition(connection, definition, permit_prefix=draft.number_prefix)
    await definitions.publish(connection, draft.code)
    if not draft.is_active:
        await definitions.set_closed(connection, draft.code, True)
    return await _read(connection, draft.code)


async def change_permit_type(connection: asyncpg.Connection, code: str, changes: PermitTypeChanges) -> PermitType:
    """Inside a transaction: the fields sent change in the latest version, published as the next."""
    changed = sent_fields(changes)
    current = await permit_type(connection, code)
    if current is None:
        raise ApiError(404)
    await _check(connection, changed.get("opd_code"), changes)
    admin = await definitions.admin_definition(connection, code)
    draft = admin.draft
    letter = draft.letter
    assert letter is not None  # a permit ends with its letter
    workflow = draft.workflow
    if "needs_supervisor" in changed:
        workflow = msgspec.structs.replace(
            workflow, approval="supervisor" if changed["needs_supervisor"] else "officer"
        )
    if "validity_days" in changed:
        letter = msgspec.structs.replace(letter, validity_days=changed["validity_days"])
    if "title" in changed:
        letter = msgspec.structs.replace(letter, title=changes.title)
    replaced: dict[str, Any] = {"workflow": workflow, "letter": letter}
    for name, field in (("title", "title"), ("description", "description"), ("opd_code", "agency")):
        if name in changed:
            replaced[field] = getattr(changes, name)
    for name in ("sla_days", "sort_order", "documents"):
        if name in changed:
            replaced[name] = getattr(changes, name)
    if "fields" in changed:
        assert isinstance(changes.fields, list)
        replaced["fields"] = [ServiceField(**_attribute(field)) for field in changes.fields]
    await definitions.save_draft(connection, code, msgspec.structs.replace(draft, **replaced))
    await definitions.publish(connection, code)
    if "is_active" in changed:
        await definitions.set_closed(connection, code, not changed["is_active"])
    return await _read(connection, code)


async def _read(connection: asyncpg.Connection, code: str) -> PermitType:
    kind = await permit_type(connection, code)
    assert kind is not None
    return kind


def _attribute(field: Attribute) -> dict[str, Any]:
    return {name: getattr(field, name) for name in Attribute.__struct_fields__}


async def _check(
    connection: asyncpg.Connection, opd_code: str | None, definition: PermitTypeDraft | PermitTypeChanges
) -> None:
    """Every problem of the form, the documents and the agency at once, named as the permit type's
    fields (`opd_code`, not the definition's `agency`)."""
    problems: list[LocalizedFieldError] = []
    if not isinstance(definition.fields, msgspec.UnsetType):
        problems += definition_problems(definition.fields, prefix="fields")
    if not isinstance(definition.documents, msgspec.UnsetType):
        problems += document_problems(definition.documents)
    if opd_code is not None:
        problems += await agency_problems(connection, opd_code)
    if problems:
        raise ApiError(422, errors=problems)
