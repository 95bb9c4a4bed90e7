"""The module contract's checks that need no database: the declaration, the routes' permissions,
the workflows and templates, the OpenAPI document. Each answers the problems it found, as
sentences naming the route, state or template, and an empty list when there are none."""

from __future__ import annotations

import msgspec
from litestar import Litestar
from litestar.di import Provide
from litestar.routes import HTTPRoute

from serang_app.app import create_app, route_permission_problems
from serang_app.domains import permission_registry
from serang_app.http.openapi import document_errors
from serang_app.module_system.discovery import ModuleError, discover_modules
from serang_app.module_system.module_sql import code_problems, migration_problems, package_files
from serang_app.module_system.plugin import ModulesPlugin
from serang_app.module_system.spec import ModuleSpec
from serang_app.module_system.validation import validate_modules, workflow_problems
from serang_app.settings import Settings, load_settings

# An address nothing listens on: these checks build the app, never start it.
_NOWHERE = "postgresql://contract@127.0.0.1:9/unused"


class ContractError(Exception):
    """The module under test cannot even be found or loaded."""


def installed_module(slug: str) -> list[ModuleSpec]:
    """The installed module `slug` and the modules it depends on, dependencies first."""
    found = {module.name: module for module in discover_modules(None)}
    wanted: list[ModuleSpec] = []

    def add(name: str, needed_by: str | None) -> None:
        module = found.get(name)
        if module is None:
            where = f" (needed by {needed_by!r})" if needed_by else ""
            raise ContractError(
                f"no installed module {name!r}{where}: is the package installed, with a "
                '[project.entry-points."serang_app.modules"] entry of that name?'
            )
        if module.spec is None:
            raise ContractError(f"module {name!r} ({module.distribution}) failed to load: {module.error}")
        if module.spec in wanted:
            return
        for dependency in module.spec.depends_on:
            add(dependency, name)
        wanted.append(module.spec)

    add(slug, None)
    return wanted


def installed_package(slug: str) -> str:
    """The import name of the package the installed module `slug` is loaded from (its entry point)."""
    for module in discover_modules(None):
        if module.name == slug:
            return module.package
    raise ContractError(f"no installed module {slug!r}: is the package installed?")


def data_contract_problems(spec: ModuleSpec, package: str) -> list[str]:
    """The module's SQL in its package's code and in its migrations that reaches past the data
    contract: core tables instead of the views of schema core."""
    problems = code_problems(spec.slug, package_files(package))
    if spec.migrations is not None and spec.migrations.is_dir():
        problems += migration_problems(spec.slug, spec.migrations)
    return problems


def contract_settings(database_url: str = _NOWHERE, **environ: str) -> Settings:
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "SERANG_ACCESS_LOG": "false",
            "SERANG_RATE_LIMIT_PER_MINUTE": "0",
            "SERANG_RATE_LIMIT_WRITES_PER_MINUTE": "0",
            "SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "0",
            "SERANG_RUN_WORKER_IN_PROCESS": "false",
            **environ,
        }
    )


def declaration_problems(specs: list[ModuleSpec]) -> list[str]:
    """What the core's own start-up check (module_system/validation.py) refuses."""
    try:
        validate_modules(specs)
    except ModuleError as error:
        return str(error).split("; ")
    return []


def route_problems(spec: ModuleSpec, specs: list[ModuleSpec]) -> list[str]:
    """Routes of the module that declare no permission (nor `public`), or an unknown one.

    The module's routes are mounted alone, as the core mounts them, so that this check reports
    them even when another check would stop the whole app from being built.
    """
    # The core's two dependencies, as stand-ins: the routes are only looked at, never called.
    stand_ins = {
        "database": Provide(_no_database, sync_to_thread=False),
        "cases": Provide(_no_case_engine, sync_to_thread=False),
    }
    app = Litestar(plugins=[ModulesPlugin([spec])], dependencies=stand_ins, openapi_config=None)
    try:
        app.state.permission_registry = permission_registry(specs)
    except ValueError as error:
        return [str(error)]
    return route_permission_problems(app)


def _no_database() -> None:
    raise AssertionError("the route permission check never calls a route")


def _no_case_engine() -> None:
    raise AssertionError("the route permission check never calls a route")


def template_and_workflow_problems(spec: ModuleSpec) -> list[str]:
    """Unreachable states, transitions naming missing templates, templates missing a language."""
    return workflow_problems(spec)


def openapi_problems(spec: ModuleSpec, specs: list[ModuleSpec]) -> list[str]:
    """The app with the module builds its OpenAPI document, and every route of the module is in
    it with an operation id and a summary (what generated app clients are made from)."""
    try:
        app = create_app(contract_settings(), modules=specs)
        document = document_errors(app)
        msgspec.json.encode(document.to_schema())
    except Exception as error:  # anything at all: the report names it
        return [f"the app with module {spec.slug!r} cannot build its OpenAPI document: {type(error).__name__}: {error}"]
    paths = document.paths or {}
    problems = []
    for route in module_routes(app, spec):
        item = paths.get(route.path_format)
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue  # left out on purpose (a standard's own URLs, documented by the standard)
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                operation = getattr(item, method.lower(), None) if item is not None else None
                if operation is None:
                    problems.append(f"{method} {route.path_format} is missing from the OpenAPI document")
                elif not operation.summary:
                    problems.append(f"{method} {route.path_format} ({handler.handler_name}) has no summary")
    return problems


def module_routes(app: Litestar, spec: ModuleSpec) -> list[HTTPRoute]:
    """The app's routes that the module's routers mounted."""
    prefixes = [f"/v1/{spec.slug}"]
    if spec.root_router is not None:
        prefixes.append("/" + spec.root_router.path.strip("/"))
    return [
        route
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and any(route.path == prefix or route.path.startswith(prefix + "/") for prefix in prefixes)
    ]
