"""`serang-app services import FILE` and `serang-app services export CODE`: a service definition
as one file, between deployments (docs/services.md). An import names every mistake of the file,
one line each, and changes nothing unless the file is right; what it publishes is audited as the
API's import is, by the system (the operator is known only to the machine's own logs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import asyncpg
import click
import msgspec

from serang_app.api import ApiError, ModuleCommandContext, record_by_system
from serang_app.modules.permits import definitions
from serang_app.modules.permits.definition import MAX_FILE_BYTES, AdminDefinition, DefinitionFile
from serang_app.modules.permits.importing import read_definition


@click.group("services")
def services_command() -> None:
    """Services defined as data: import and export their definition files."""


@services_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_file(context: ModuleCommandContext, file: Path) -> None:
    """Check FILE whole and publish it (a new service, or the next version of one)."""
    raw = file.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        _fail(file, [f"larger than {MAX_FILE_BYTES // 1024} KB"])
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _fail(file, [f"not a JSON file ({error})"])
    try:
        imported = context.on_database(lambda connection: _import(connection, document))
    except ApiError as error:
        _fail(file, [f"{problem.field}: {getattr(problem, 'en', problem.code)}" for problem in error.errors or []])
    click.echo(json.dumps({"code": imported.code, "published_version": imported.published_version}))


@services_command.command("export")
@click.argument("code")
@click.pass_obj
def export_definition(context: ModuleCommandContext, code: str) -> None:
    """Print the definition file of CODE (its latest published version, else its draft)."""
    try:
        exported: DefinitionFile = context.on_database(lambda connection: definitions.exported(connection, code))
    except ApiError:
        click.echo(f"serang-app: no service {code!r}", err=True)
        sys.exit(2)
    click.echo(json.dumps(msgspec.to_builtins(exported), ensure_ascii=False, indent=2))


async def _import(connection: asyncpg.Connection, document: Any) -> AdminDefinition:
    async with connection.transaction():
        definition = await read_definition(connection, document)
        imported = await definitions.import_definition(connection, definition)
        await record_by_system(
            connection,
            action="service_definition.imported",
            object_type="service_definition",
            object_id=imported.code,
            details={"version": imported.published_version, "by": "command_line"},
        )
        return imported


def _fail(file: Path, problems: list[str]) -> None:
    for problem in problems or ["refused"]:
        click.echo(f"serang-app: {file}: {problem}", err=True)
    sys.exit(2)
