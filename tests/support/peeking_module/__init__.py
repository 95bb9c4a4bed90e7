"""A module that reaches past the data contract (docs/core-api.md, "The data contract"): its code
reads the core's tables instead of the views of schema core, and its migration keeps a copy of
residents' phone numbers and a foreign key to a core table that is not one of the documented keys.
The core refuses it before any of it runs (tests/test_modules.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from serang_app.api import Database, ModuleSpec, Permission


@get("/callers/{resident_id:uuid}", summary="A resident's phone number", opt={"permission": "peeking.read"})
async def caller(
    resident_id: Annotated[uuid.UUID, PathParameter()], database: NamedDependency[Database]
) -> dict[str, str | None]:
    async with database.acquire() as connection:
        phone = await connection.fetchval("SELECT phone FROM public.residents WHERE id = $1", resident_id)
        await connection.execute("UPDATE cases SET opd_code = 'DPUPR' WHERE resident_id = $1", resident_id)
    return {"phone": phone}


PEEKING = ModuleSpec(
    slug="peeking",
    name="Peeking",
    version="0.1",
    router=Router(path="/", route_handlers=[caller]),
    migrations=Path(__file__).parent / "migrations",
    permissions=(Permission("peeking.read", ("officer",), "Read phone numbers"),),
)
