"""Service definitions admins keep: a draft edited freely (checked whole each time it is saved),
published as immutable versions, closed without losing what was filed. Publishing puts the
service in the catalogue (its agency and SLA), which statistics and the SPBE export read."""

from __future__ import annotations

import asyncpg
import msgspec

from serang_app.api import ApiError, LocalizedFieldError, Text, announce_catalogue_change, offer_service
from serang_app.modules.permits.definition import (
    AdminDefinition,
    DefinitionFile,
    PublishedService,
    PublishedServiceList,
)
from serang_app.modules.permits.definition_checks import all_problems
from serang_app.modules.permits.schemas import Agency
from serang_app.modules.permits.versions import ServiceVersion, latest_version, version_of

MODULE = "permits"

_ADMIN = """
SELECT d.code, d.draft, d.published_version, d.closed_at, v.body AS published
FROM permits.definitions d
LEFT JOIN permits.definition_versions v ON v.code = d.code AND v.version = d.published_version
WHERE d.code = $1
"""
_PUBLISHED = """
SELECT d.code, v.version, v.body, d.permit_prefix, d.closed_at IS NULL AS is_open, o.name AS opd_name
FROM permits.definitions d
JOIN permits.definition_versions v ON v.code = d.code AND v.version = d.published_version
JOIN core.opds o ON o.code = v.body->>'agency'
"""


async def create_definition(
    connection: asyncpg.Connection, definition: DefinitionFile, *, permit_prefix: str | None = None
) -> AdminDefinition:
    """Inside a transaction: a new draft (not yet offered to anyone)."""
    await _refuse_problems(connection, definition)
    try:
        await connection.execute(
            "INSERT INTO permits.definitions (code, draft, permit_prefix) VALUES ($1, $2, $3)",
            definition.code,
            msgspec.to_builtins(definition),
            permit_prefix,
        )
    except asyncpg.UniqueViolationError:
        raise ApiError(409, "permits_definition_exists", params={"code": definition.code}) from None
    return await admin_definition(connection, definition.code)


async def save_draft(connection: asyncpg.Connection, code: str, definition: DefinitionFile) -> AdminDefinition:
    """Inside a transaction: the draft replaced whole; published versions stay as they are."""
    if definition.code != code:
        raise ApiError(422, errors=[LocalizedFieldError("code", "Kode tidak dapat diubah", "The code cannot change")])
    await _refuse_problems(connection, definition)
    updated = await connection.fetchval(
        "UPDATE permits.definitions SET draft = $2, updated_at = now() WHERE code = $1 RETURNING code",
        code,
        msgspec.to_builtins(definition),
    )
    if updated is None:
        raise ApiError(404)
    return await admin_definition(connection, code)


async def publish(connection: asyncpg.Connection, code: str) -> AdminDefinition:
    """Inside a transaction: the draft becomes version N+1, unless it is the latest already; the
    service enters (or changes in) the catalogue."""
    row = await connection.fetchrow(
        """SELECT d.draft, d.published_version, v.body AS published FROM permits.definitions d
           LEFT JOIN permits.definition_versions v ON v.code = d.code AND v.version = d.published_version
           WHERE d.code = $1 FOR UPDATE OF d""",
        code,
    )
    if row is None:
        raise ApiError(404)
    # Checked again: an agency may have closed since the draft was saved.
    await _refuse_problems(connection, msgspec.convert(row["draft"], DefinitionFile))
    if row["draft"] != row["published"]:
        version = (row["published_version"] or 0) + 1
        await connection.execute(
            "INSERT INTO permits.definition_versions (code, version, body) VALUES ($1, $2, $3)",
            code,
            version,
            row["draft"],
        )
        await connection.execute(
            "UPDATE permits.definitions SET published_version = $2, updated_at = now() WHERE code = $1", code, version
        )
    await _offer(connection, code)
    return await admin_definition(connection, code)


async def set_closed(connection: asyncpg.Connection, code: str, closed: bool) -> AdminDefinition:
    """Closing stops new applications (and drafts from being submitted); those filed go on."""
    updated = await connection.fetchval(
        """UPDATE permits.definitions
           SET closed_at = CASE WHEN $2 THEN coalesce(closed_at, now()) END, updated_at = now()
           WHERE code = $1 RETURNING code""",
        code,
        closed,
    )
    if updated is None:
        raise ApiError(404)
    await _offer(connection, code)
    return await admin_definition(connection, code)


async def admin_definition(connection: asyncpg.Connection, code: str) -> AdminDefinition:
    row = await connection.fetchrow(_ADMIN, code)
    if row is None:
        raise ApiError(404)
    return AdminDefinition(
        code=row["code"],
        draft=msgspec.convert(row["draft"], DefinitionFile),
        published_version=row["published_version"],
        has_unpublished_changes=row["draft"] != row["published"],
        is_closed=row["closed_at"] is not None,
    )


async def draft_version(connection: asyncpg.Connection, code: str) -> ServiceVersion:
    """The draft as the machinery would use it once published: for an admin's preview and trial."""
    row = await connection.fetchrow(
        "SELECT code, NULL::integer AS version, draft AS body, permit_prefix, true AS is_open "
        "FROM permits.definitions WHERE code = $1",
        code,
    )
    if row is None:
        raise ApiError(404)
    return version_of(row)


async def published_services(connection: asyncpg.Connection) -> PublishedServiceList:
    rows = await connection.fetch(
        _PUBLISHED + "WHERE d.closed_at IS NULL ORDER BY (v.body->>'sort_order')::integer, d.code"
    )
    return PublishedServiceList(items=[_published(row) for row in rows])


async def published_service(connection: asyncpg.Connection, code: str) -> PublishedService:
    row = await connection.fetchrow(_PUBLISHED + "WHERE d.code = $1", code)
    if row is None:
        raise ApiError(404)
    return _published(row)


def _published(row: asyncpg.Record) -> PublishedService:
    return rendered(version_of(row), Agency(code=row["body"]["agency"], name=row["opd_name"]))


def rendered(kind: ServiceVersion, agency: Agency) -> PublishedService:
    """The service as the app renders it (a draft's preview gets its would-be version after)."""
    definition = kind.definition
    return PublishedService(
        code=kind.code,
        version=kind.version or 0,
        title=kind.title,
        description=kind.description,
        agency=agency,
        eligibility=definition.eligibility,
        requirements=Text(id=definition.requirements.id, en=definition.requirements.en),
        fields=definition.fields,
        documents=definition.documents,
        workflow=definition.workflow,
        appointment=definition.appointment,
        sla_days=definition.sla_days,
        is_open=kind.is_open,
    )


async def exported(connection: asyncpg.Connection, code: str) -> DefinitionFile:
    """The latest published version, or the draft of a service never published."""
    kind = await latest_version(connection, code)
    if kind is not None:
        return kind.definition
    return (await admin_definition(connection, code)).draft


async def import_definition(connection: asyncpg.Connection, definition: DefinitionFile) -> AdminDefinition:
    """Inside a transaction: a new service, or the next version of one of the same code, published."""
    exists = await connection.fetchval("SELECT 1 FROM permits.definitions WHERE code = $1 FOR UPDATE", definition.code)
    if exists:
        await save_draft(connection, definition.code, definition)
    else:
        await create_definition(connection, definition)
    return await publish(connection, definition.code)


async def _offer(connection: asyncpg.Connection, code: str) -> None:
    """The catalogue entry of a published service, as its latest version says. Permit types stay
    behind the permits entry (`permits.apply`), as before; their change is announced all the same,
    so that every web process drops its cached definitions (definition_routes.py) on commit."""
    kind = await latest_version(connection, code)
    if kind is None or kind.permit_prefix is not None:
        await announce_catalogue_change(connection)
        return
    definition = kind.definition
    await offer_service(
        connection,
        module=MODULE,
        code=kind.service_code,
        opd_code=definition.agency,
        title=kind.title,
        description=kind.description,
        sla_days=definition.sla_days,
        requirements=_requirement_lines(definition),
        is_open=kind.is_open,
        sort_order=definition.sort_order,
        icon="permit",
    )


def _requirement_lines(definition: DefinitionFile) -> list[Text]:
    """The catalogue lists requirements one by one: line by line when both languages have as many
    lines, else the whole text as one."""
    id_lines = [line.strip() for line in definition.requirements.id.splitlines() if line.strip()]
    en_lines = [line.strip() for line in definition.requirements.en.splitlines() if line.strip()]
    if len(id_lines) == len(en_lines):
        return [Text(id=i, en=e) for i, e in zip(id_lines, en_lines, strict=True)]
    return [Text(id=definition.requirements.id, en=definition.requirements.en)]


async def _refuse_problems(connection: asyncpg.Connection, definition: DefinitionFile) -> None:
    if problems := await all_problems(connection, definition):
        raise ApiError(422, errors=problems)
