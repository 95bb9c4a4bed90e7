"""What a part of the app declares, in one shape for the core's domains and for modules alike.

A core domain (`CoreDomain`, each domain's `domain.py`) and a module (`ModuleSpec`,
module_system/spec.py) both declare their permissions, notification templates, problem texts and
periodic tasks in `Declaration`'s fields; app.py, the worker, the permission registry and the
texts read them from one list of core domains (domains.py) plus the enabled modules, as
Datasette loads its own built-ins through the hooks third-party plugins use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from litestar.types import ControllerRouterHandler

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.worker.context import WorkerContext

if TYPE_CHECKING:
    from serang_app.settings import Settings

ContextT = TypeVar("ContextT")
TaskT = TypeVar("TaskT", covariant=True)


@dataclass(frozen=True)
class PeriodicTask(Generic[ContextT]):
    """Background work the worker runs every ``interval_seconds``; ``run`` receives the context
    of whoever declared it (the core's tasks a WorkerContext, modules' a ModuleTaskContext)."""

    name: str
    interval_seconds: float
    run: Callable[[ContextT], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class Declaration(Generic[TaskT]):
    """The fields a core domain and a module declare alike."""

    # What the routes require (opt={"permission": code}) and which roles hold it.
    permissions: tuple[Permission, ...] = ()
    # Notification templates by code: the title and body in each language.
    templates: Mapping[str, Text] = field(default_factory=dict)
    # The error codes its code answers with (ApiError(409, code)), and their texts.
    problems: Mapping[str, ProblemText] = field(default_factory=dict)
    # Periodic background work, run by `serang-app worker` (and by the web process in development).
    tasks: tuple[TaskT, ...] = ()


def _always(settings: Settings) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class CoreDomain(Declaration[PeriodicTask[WorkerContext]]):
    """One of the core's domains (auth, cases, uploads, ...): its routes beside the rest.

    ``public_routes`` answer anyone (each declares opt={"public": True}); ``signed_in_routes`` sit
    behind the authentication and idempotency middlewares (auth/middleware.py). With
    ``routes_when``, the routes are mounted only for settings it accepts (the development
    storage's routes only when the storage is local).
    """

    name: str
    public_routes: tuple[ControllerRouterHandler, ...] = ()
    signed_in_routes: tuple[ControllerRouterHandler, ...] = ()
    routes_when: Callable[[Settings], bool] = _always
