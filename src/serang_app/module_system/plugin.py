"""One Litestar plugin mounts every enabled module: its router under /v1/{slug}, its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin

from serang_app.app_state import database_of, settings_of
from serang_app.auth.middleware import signed_in_middleware
from serang_app.http.openapi import struct_classes
from serang_app.http.openapi_names import MODULE_NAME_OPT, MODULE_OPT, title_module_schemas
from serang_app.module_system.spec import ModuleContext, ModuleSpec


class ModulesPlugin(InitPlugin):
    def __init__(self, specs: Sequence[ModuleSpec]) -> None:
        self._specs = list(specs)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        for spec in self._specs:
            routers = []
            if spec.router is not None:
                # Behind authentication like the core's signed-in routes; public module routes
                # (opt={"public": True}) pass through it untouched.
                routers.append(self._router(spec, f"/v1/{spec.slug}", spec.router))
            if spec.root_router is not None:
                routers.append(self._router(spec, "/", spec.root_router))
            app_config.route_handlers.extend(routers)
            # Named after the module in the OpenAPI document, so two modules never collide there.
            title_module_schemas(spec.slug, [r for router in routers for r in router.routes], struct_classes())
            if spec.lifespan is not None:
                app_config.lifespan.append(self._lifespan_of(spec))
        return app_config

    def _router(self, spec: ModuleSpec, path: str, router: Router) -> Router:
        return Router(
            path=path,
            route_handlers=[router],
            tags=[spec.slug],
            middleware=signed_in_middleware(),
            opt={MODULE_OPT: spec.slug, MODULE_NAME_OPT: spec.name},
        )

    def _lifespan_of(self, spec: ModuleSpec) -> Any:
        hook = spec.lifespan
        assert hook is not None

        @asynccontextmanager
        async def run(app: Litestar) -> AsyncIterator[None]:
            context = ModuleContext(settings=settings_of(app.state), database=database_of(app.state))
            async with hook(context):
                yield

        return run
