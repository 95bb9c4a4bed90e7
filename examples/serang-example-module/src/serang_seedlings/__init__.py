"""Example module: the tree seedlings the environment agency gives away."""

from __future__ import annotations

from pathlib import Path

import msgspec
from litestar import Router, get
from litestar.di import NamedDependency

from serang_app.api import CatalogueService, Database, ModuleSpec, Text


class Species(msgspec.Struct, kw_only=True):
    code: str
    name: str
    stock: int


class SpeciesList(msgspec.Struct, kw_only=True):
    items: list[Species]


@get("/species", summary="Seedling species in stock", opt={"public": True})
async def list_species(database: NamedDependency[Database]) -> SpeciesList:
    async with database.acquire() as connection:
        rows = await connection.fetch("SELECT code, name, stock FROM seedlings.species ORDER BY name")
    return SpeciesList(items=[msgspec.convert(dict(row), Species) for row in rows])


spec = ModuleSpec(
    slug="seedlings",
    name="Bibit pohon gratis",
    version="0.1.0",
    router=Router(path="/", route_handlers=[list_species]),
    migrations=Path(__file__).parent / "migrations",
    services=(
        CatalogueService(
            code="seedlings.request",
            opd_code="DLH",
            title=Text(id="Bibit Pohon Gratis", en="Free Tree Seedlings"),
            description=Text(
                id="Lihat bibit pohon yang dibagikan Dinas Lingkungan Hidup.",
                en="See which tree seedlings the environment agency gives away.",
            ),
            icon="tree",
            sla_days=5,
            requirements=(Text(id="KTP-el", en="Electronic identity card"),),
        ),
    ),
)
