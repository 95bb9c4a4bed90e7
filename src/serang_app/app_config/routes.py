"""GET /v1/app/config (public, cached) and PUT /v1/admin/app-config (admins)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.app_config.schemas import AppConfig, PublishedAppConfig
from serang_app.app_config.store import AppConfigCache, save_config
from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.db.pool import Database
from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED


def _cache(state: State) -> AppConfigCache:
    cache: AppConfigCache = state.app_config_cache
    return cache


@get(
    "/v1/app/config",
    tags=["app"],
    summary="The app's configuration: minimum versions and store links, maintenance notice, feature switches, "
    "and who runs the service",
    opt={"public": True, CACHED_OPT: True},
    responses={
        200: ResponseSpec(PublishedAppConfig, description="The configuration", generate_examples=False),
        **NOT_MODIFIED,
    },
)
async def get_app_config(scope: Scope) -> ASGIResponse:
    state = scope["app"].state
    _, encoded = await _cache(state).get(state.database)
    return encoded.answer(scope)


@put(
    "/v1/admin/app-config",
    tags=["admin"],
    summary="Replace the app's configuration",
    status_code=200,
    opt={"permission": "app_config.manage", "problems": [422]},
)
async def change_app_config(
    request: Request[Principal, Any, Any], state: State, database: NamedDependency[Database], data: JSONBody[AppConfig]
) -> AppConfig:
    async with database.acquire() as connection, connection.transaction():
        saved = await save_config(connection, data)
        await record_by_caller(
            connection, request, action="app_config.changed", object_type="app_config", object_id="app"
        )
    _cache(state).invalidate()
    return saved
