"""Migrated template databases, one per set of modules, that tests' databases are cloned from.

Cloning a template costs a few hundredths of a second; applying a module's migrations at every
app start cost a tenth or two. So each set of modules a test runs is migrated once a session.
"""

from __future__ import annotations

from collections.abc import Sequence

from serang_app.contract.servers import TestServer
from serang_app.db.migrations import apply_migrations
from serang_app.lifespan import migration_sources
from serang_app.module_system.spec import ModuleSpec

# What a set of modules' migrations are: each module's namespace and folder, in order.
TemplateKey = tuple[tuple[str, str], ...]


class Templates:
    def __init__(self, server: TestServer, core: str) -> None:
        self._server = server
        self._made: dict[TemplateKey, str] = {(): core}
        self._core = core

    async def for_modules(self, modules: Sequence[ModuleSpec]) -> str:
        """The name of a template with the core's and these modules' migrations applied."""
        sources = migration_sources(modules)[1:]
        key = tuple((source.namespace, str(source.folder)) for source in sources)
        found = self._made.get(key)
        if found is not None:
            return found
        name = await self._server.create_database(template=self._core)
        await apply_migrations(self._server.dsn(name), migration_sources(modules))
        self._made[key] = name
        return name

    async def drop(self) -> None:
        for name in self._made.values():
            if name != self._core:
                await self._server.drop_database(name)
