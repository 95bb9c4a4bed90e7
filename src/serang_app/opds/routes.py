"""/v1/admin/opds: the agencies, listed for all staff and kept by Diskominfosatik's admins.

The list is not paginated: a regency has a few dozen agencies, and the admin console and the
officers' app want all of them at once (to fill a picker), so one bounded answer serves best.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.db.pool import Database
from serang_app.opds import service
from serang_app.opds.schemas import NewOpd, Opd, OpdChange, OpdList

AdminRequest = Request[Principal, Any, Any]
OpdCodeInPath = Annotated[str, PathParameter(description="The agency's code, for example DPUPR.")]


class OpdAdminController(Controller):
    path = "/v1/admin/opds"
    tags = ("admin",)

    @get(summary="All agencies, ordered by code", opt={"permission": "opds.read"})
    async def list_opds(self, database: NamedDependency[Database]) -> OpdList:
        async with database.acquire() as connection:
            return OpdList(items=await service.list_opds(connection))

    @post(summary="Add an agency", opt={"permission": "opds.manage", "problems": [409]})
    async def create_opd(
        self, request: AdminRequest, data: JSONBody[NewOpd], database: NamedDependency[Database]
    ) -> Opd:
        async with database.acquire() as connection, connection.transaction():
            opd = await service.create_opd(connection, data)
            await record_by_caller(
                connection,
                request,
                action="opd.created",
                object_type="opd",
                object_id=opd.code,
            )
        return opd

    @patch(
        "/{code:str}",
        summary="Rename an agency, or close or reopen it",
        opt={"permission": "opds.manage", "problems": [404, 409]},
    )
    async def change_opd(
        self,
        request: AdminRequest,
        code: OpdCodeInPath,
        data: JSONBody[OpdChange],
        database: NamedDependency[Database],
    ) -> Opd:
        async with database.acquire() as connection, connection.transaction():
            opd, changed = await service.change_opd(connection, code, data)
            if changed:
                await record_by_caller(
                    connection,
                    request,
                    action="opd.changed",
                    object_type="opd",
                    object_id=opd.code,
                    details={"fields": changed},
                )
        return opd
