"""The data a module declares. The core checks it (validation.py) before running any of it.

The vocabulary it uses lives where it belongs and is imported from there, never the reverse:
`Text` and `ProblemText` in bilingual.py, the workflow types in cases/workflow.py, and the fields
a module shares with the core's domains (permissions, templates, problems, tasks) in
declaration.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from litestar import Router

from serang_app.bilingual import Text
from serang_app.cases.workflow import Workflow
from serang_app.declaration import Declaration, PeriodicTask

if TYPE_CHECKING:
    import asyncpg

    from serang_app.cases.engine import CaseEngine
    from serang_app.db.pool import Database
    from serang_app.settings import Settings

# The major version of the API the core offers modules. A module names the one it was written for.
CORE_API_VERSION = 1
# The release within it: names are only added within a major version (docs/core-api.md).
CORE_API_RELEASE = "1.8"
# The version of the core data contract: the read-only views of schema `core` modules read core
# data through (migrations/0019_core_contract.sql). A changed view gets a new name with the next
# version beside the old one (docs/core-api.md, "The data contract").
CORE_CONTRACT_VERSION = 1
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class CatalogueService:
    """One entry of the home-screen catalogue that the module offers.

    The code must start with the module's slug and a dot (``complaints.road_damage``). The core
    inserts it on first start; administrators may edit it afterwards and their edits stay.
    """

    code: str
    opd_code: str
    title: Text
    description: Text
    icon: str = "default"
    sla_days: int | None = None
    requirements: tuple[Text, ...] = ()
    is_open: bool = True
    sort_order: int = 100


@dataclass(frozen=True, kw_only=True)
class ModuleContext:
    """What a module's lifespan hook receives."""

    settings: Settings
    database: Database


ModuleLifespan = Callable[[ModuleContext], AbstractAsyncContextManager[None]]


class ModuleCommandContext:
    """What a module's command-line command receives as click's `obj` (`@click.pass_obj`): the
    deployment's database (the configured one, or the embedded one started for the command)."""

    def __init__(self, run: Callable[[Callable[[asyncpg.Connection], Awaitable[Any]]], Any]) -> None:
        self._run = run

    def on_database(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """`work` run on one connection; its result."""
        result: T = self._run(work)
        return result


@dataclass(frozen=True, kw_only=True)
class ModuleTaskContext:
    """What a module's periodic task receives: the database, and the case engine to move cases
    (as the system actor) with."""

    database: Database
    cases: CaseEngine


@dataclass(frozen=True, kw_only=True)
class ModuleTask(PeriodicTask[ModuleTaskContext]):
    """Background work the worker runs every ``interval_seconds`` (marking missed appointments).
    Any number of workers run it at once: the task claims its rows itself (FOR UPDATE SKIP
    LOCKED). A round that raises is logged and the next round runs as usual."""


@dataclass(frozen=True, kw_only=True)
class ModuleSpec(Declaration[ModuleTask]):
    """Everything the core needs to know about a module, declared as data.

    ``slug`` is the URL prefix (``/v1/{slug}``), the migration namespace and database schema, and
    the prefix of the module's permission codes and catalogue service codes. Its permissions,
    templates, problems (each code starting with the slug and an underscore) and tasks are
    declared as a core domain declares them (declaration.py).
    """

    slug: str
    name: str
    version: str
    core_api: int = CORE_API_VERSION
    depends_on: tuple[str, ...] = ()
    router: Router | None = None
    # Routes a standard fixes outside /v1/{slug} (Open311's /open311/v2): mounted at the router's
    # own path, which must not be under /v1 or a core path.
    root_router: Router | None = None
    migrations: Path | None = None
    workflows: tuple[Workflow, ...] = ()
    services: tuple[CatalogueService, ...] = ()
    lifespan: ModuleLifespan | None = None
    # Commands the module adds to `serang-app` (click commands or groups; `ModuleCommandContext` is
    # their `obj`). A name the core or another module uses already is refused.
    commands: tuple[click.Command, ...] = ()
