"""Reading a definition file (an import through the API or the command line, a seed) and naming
every mistake at once with its JSON path before anything changes: the shape as any request body is
checked (`converted_strictly`: every error of the schema), then, once the shape is right, what
definition_checks.py finds (placeholders, circles, the agency)."""

from __future__ import annotations

from typing import Any

import asyncpg

from serang_app.api import ApiError, converted_strictly
from serang_app.modules.permits.definition import DefinitionFile
from serang_app.modules.permits.definition_checks import all_problems


async def read_definition(connection: asyncpg.Connection, document: Any) -> DefinitionFile:
    definition = converted_strictly(document, DefinitionFile)
    if problems := await all_problems(connection, definition):
        raise ApiError(422, errors=problems)
    return definition
