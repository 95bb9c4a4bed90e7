"""Service definitions shipped with the app: every `*.json` file of the seeds folder is published
when no definition of its code exists yet (at start-up, in every web process: one takes the lock,
the others find the work done). An admin's later edits stay: a seed only fills what is missing.

A file that is not a valid definition stops start-up with one line naming the file and each of its
problems: a deployment must not start with half of its services. A valid one naming an agency this
deployment does not have (another region's, docs/multi-regency.md), or an appointment service
nobody can book here (no appointments module), is skipped with a warning."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog

from serang_app.api import ApiError, Database, ModuleContext, StartupError, agency_problems, converted_strictly
from serang_app.modules.permits import definitions
from serang_app.modules.permits.definition import DefinitionFile
from serang_app.modules.permits.definition_checks import appointment_problems, shape_problems

# Where the regency's own definitions are written (docs/services.md says why this folder).
SEEDS_FOLDER = Path(__file__).resolve().parents[1] / "services" / "seeds"
# Any constant of this module's own: one web process seeds at a time.
_LOCK = 23_0001
logger = structlog.get_logger("serang_app.modules.permits")


async def seed_definitions(database: Database, folder: Path) -> list[str]:
    """The codes of the definitions published from `folder` now (none when all were there)."""
    files = await asyncio.to_thread(_seed_files, folder)
    if not files:
        return []
    seeded = []
    async with database.acquire() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        for name, document in files:
            definition = _checked(name, document)
            if await connection.fetchval("SELECT 1 FROM permits.definitions WHERE code = $1", definition.code):
                continue
            if await agency_problems(connection, definition.agency, field="agency"):
                # Another region's deployment runs the same seeds without every agency they name.
                logger.warning("service_seed_skipped", file=name, code=definition.code, agency=definition.agency)
                continue
            if await appointment_problems(connection, definition):
                # A deployment without the appointments module (or without that service) starts too.
                logger.warning("service_seed_skipped", file=name, code=definition.code, appointment="not_bookable")
                continue
            await definitions.import_definition(connection, definition)
            seeded.append(definition.code)
    return seeded


def _seed_files(folder: Path) -> list[tuple[str, Any]]:
    """Each file's name and decoded JSON, in name order."""
    files = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            files.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise StartupError(f"service definition {path.name}: not a JSON file ({error})") from None
    return files


def _checked(name: str, document: Any) -> DefinitionFile:
    """The definition, or the one line naming every problem of the file (the agency aside)."""
    try:
        definition = converted_strictly(document, DefinitionFile)
        if problems := shape_problems(definition):
            raise ApiError(422, errors=problems)
    except ApiError as error:
        named = "; ".join(f"{problem.field}: {_english(problem)}" for problem in error.errors or [])
        raise StartupError(f"service definition {name}: {named or error.code}") from None
    return definition


def _english(problem: object) -> str:
    return str(getattr(problem, "en", None) or getattr(problem, "code", "invalid"))


def seeds_folder(setting: str) -> Path | None:
    """SERANG_SERVICE_SEEDS: "shipped" (the app's own folder), "none", or a folder of one's own."""
    if setting == "none":
        return None
    if setting == "shipped":
        return SEEDS_FOLDER
    folder = Path(setting)
    if not folder.is_dir():
        raise StartupError(
            f"SERANG_SERVICE_SEEDS: {setting} is not a folder (shipped, none, or a folder of definitions)"
        )
    return folder


@asynccontextmanager
async def seeding(context: ModuleContext) -> AsyncIterator[None]:
    folder = seeds_folder(context.settings.service_seeds)
    if folder is not None:
        await seed_definitions(context.database, folder)
    yield
