"""The data a module declares. The core checks it (validation.py) before running any of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import msgspec
from litestar import Router

from serang_app.auth.permissions import Permission

if TYPE_CHECKING:
    from serang_app.cases.engine import CaseEngine
    from serang_app.db.pool import Database
    from serang_app.settings import Settings

# The major version of the API the core offers modules. A module names the one it was written for.
CORE_API_VERSION = 1
# The release within it: names are only added within a major version (docs/core-api.md).
CORE_API_RELEASE = "1.3"


class Text(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A user-facing text in both of the app's languages."""

    id: str
    en: str

    def in_locale(self, locale: str) -> str:
        return self.en if locale == "en" else self.id


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


# The phases every module's states map to, so the app can show one list of all requests.
Phase = Literal["submitted", "in_progress", "waiting_for_resident", "completed", "rejected", "cancelled"]
PHASES: tuple[Phase, ...] = get_args(Phase)
# A case in one of these phases is closed: its SLA no longer runs and the resident may rate it.
FINAL_PHASES: frozenset[Phase] = frozenset({"completed", "rejected", "cancelled"})
# Who may take a transition. "system" is the module's own code (a timer, another case's outcome);
# the HTTP API never takes a system transition.
Actor = Literal["resident", "officer", "supervisor", "admin", "system"]
ACTORS: tuple[Actor, ...] = get_args(Actor)


@dataclass(frozen=True, kw_only=True)
class State:
    """A status a case can be in. ``pauses_sla``: the SLA clock stands still while a case is here
    (the agency waits for the resident); it runs on, with the lost working days added, on leaving."""

    code: str
    phase: Phase
    title: Text
    pauses_sla: bool = False


@dataclass(frozen=True, kw_only=True)
class Transition:
    """A move from one of ``source`` to ``target``, taken by one of ``actors``.

    ``notify`` names the template (in the module's ``templates``) the resident and the case's
    followers are sent; ``requires_note`` makes a note mandatory (a reason for a rejection, say);
    ``requires_upload`` makes at least one completed upload of the actor's mandatory (a photo of
    the repair); the uploads are attached to the case.

    ``reroutes``: the action names another agency (``opd_code``) that takes the case over, its
    SLA counted again from now (a complaint forwarded to the right agency).
    ``when_rated``: the core takes it, as the system, when the resident rates the case in one of
    ``source`` (a resolved complaint closes on its rating).
    ``after_days``: the core takes it, as the system, once a case has been in one of ``source``
    that many days (a resolved complaint closes by itself after a week).
    ``module_route_only``: not offered by ``POST /v1/cases/{id}/actions``; the module's own route
    takes it, because it needs more than a note (merging a duplicate names the surviving case).
    """

    action: str
    title: Text
    source: tuple[str, ...]
    target: str
    actors: tuple[Actor, ...]
    requires_note: bool = False
    requires_upload: bool = False
    notify: str | None = None
    reroutes: bool = False
    when_rated: bool = False
    after_days: int | None = None
    module_route_only: bool = False


@dataclass(frozen=True, kw_only=True)
class Workflow:
    """The states and transitions of one kind of case. ``reference_prefix`` starts its public
    reference numbers (``ADU`` gives ``ADU-2611-000042``) and is unique among the modules."""

    code: str
    reference_prefix: str
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...] = ()

    def state(self, code: str) -> State | None:
        return next((state for state in self.states if state.code == code), None)

    def transition(self, action: str) -> Transition | None:
        return next((transition for transition in self.transitions if transition.action == action), None)


@dataclass(frozen=True, kw_only=True)
class ProblemText:
    """The title and detail of an error the module answers with (ApiError(409, code)); the
    detail may hold {placeholders} filled from the error's params."""

    title: Text
    detail: Text


@dataclass(frozen=True, kw_only=True)
class ModuleContext:
    """What a module's lifespan hook receives."""

    settings: Settings
    database: Database


ModuleLifespan = Callable[[ModuleContext], AbstractAsyncContextManager[None]]


@dataclass(frozen=True, kw_only=True)
class ModuleTaskContext:
    """What a module's periodic task receives: the database, and the case engine to move cases
    (as the system actor) with."""

    database: Database
    cases: CaseEngine


@dataclass(frozen=True, kw_only=True)
class ModuleTask:
    """Background work the worker runs every ``interval_seconds`` (marking missed appointments).
    Any number of workers run it at once: the task claims its rows itself (FOR UPDATE SKIP
    LOCKED). A round that raises is logged and the next round runs as usual."""

    name: str
    interval_seconds: float
    run: Callable[[ModuleTaskContext], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class ModuleSpec:
    """Everything the core needs to know about a module, declared as data.

    ``slug`` is the URL prefix (``/v1/{slug}``), the migration namespace and database schema, and
    the prefix of the module's permission codes and catalogue service codes.
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
    # What the module's routes require (opt={"permission": code}) and which roles hold it.
    permissions: tuple[Permission, ...] = ()
    # Notification templates by code: the title and body in each language.
    templates: Mapping[str, Text] = field(default_factory=dict)
    services: tuple[CatalogueService, ...] = ()
    lifespan: ModuleLifespan | None = None
    # The module's own error codes (each starting with its slug and an underscore) and texts.
    problems: Mapping[str, ProblemText] = field(default_factory=dict)
    # Periodic background work, run by `serang-app worker` (and by the web process in development).
    tasks: tuple[ModuleTask, ...] = ()
