"""/v1/admin/services: the catalogue as admins keep it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.catalogue import editing
from serang_app.catalogue.schemas import AdminService, AdminServiceList, ServiceChange, ServiceOrder
from serang_app.catalogue.service import CatalogueCache
from serang_app.db.pool import Database

AdminRequest = Request[Principal, Any, Any]
ServiceCodeInPath = Annotated[
    str, PathParameter(description="The service's code, for example permits.apply.", max_length=80)
]
_MANAGE = {"permission": "catalogue.manage"}


def _cache(state: State) -> CatalogueCache:
    cache: CatalogueCache = state.catalogue_cache
    return cache


class CatalogueAdminController(Controller):
    path = "/v1/admin/services"
    tags = ("admin",)
    opt = _MANAGE

    @get(summary="Every catalogue entry, closed ones too, in home-screen order")
    async def list_catalogue(self, database: NamedDependency[Database]) -> AdminServiceList:
        async with database.acquire() as connection:
            return AdminServiceList(items=await editing.all_services(connection))

    @put(
        "/order",
        summary="Order the home screen: the services listed first, in that order",
        status_code=200,
        opt={"problems": [422]},
    )
    async def order_catalogue(
        self, request: AdminRequest, state: State, database: NamedDependency[Database], data: JSONBody[ServiceOrder]
    ) -> AdminServiceList:
        async with database.acquire() as connection, connection.transaction():
            items = await editing.order_services(connection, data.codes)
            await record_by_caller(
                connection, request, action="catalogue.ordered", object_type="catalogue", object_id="home"
            )
        _cache(state).invalidate()
        return AdminServiceList(items=items)

    @patch(
        "/{code:str}",
        summary="Change a service: titles, description, icon, SLA, agency, requirements, open or closed, order",
        opt={"problems": [404, 422]},
    )
    async def change_catalogue_service(
        self,
        request: AdminRequest,
        state: State,
        database: NamedDependency[Database],
        code: ServiceCodeInPath,
        data: JSONBody[ServiceChange],
    ) -> AdminService:
        async with database.acquire() as connection, connection.transaction():
            service, changed = await editing.change_service(connection, code, data)
            await record_by_caller(
                connection,
                request,
                action="catalogue.changed",
                object_type="service",
                object_id=code,
                details={"fields": changed},
            )
        _cache(state).invalidate()
        return service
