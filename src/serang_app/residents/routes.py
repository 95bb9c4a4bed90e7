"""The signed-in resident's own account: /v1/me."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody

from serang_app.app_state import database_of, nik_vault_of, settings_of
from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.db.pool import Database
from serang_app.http.request_id import request_id_of
from serang_app.residents.profile import read_profile, update_profile
from serang_app.residents.rights import DataExport, erase_resident, export_resident
from serang_app.residents.schemas import Profile, ProfileUpdate

_OWN_ACCOUNT = {"permission": "profile.manage"}
MeRequest = Request[Principal, Any, Any]


class MeController(Controller):
    """One controller for the path, so OPTIONS and the Allow header list all of its methods."""

    path = "/v1/me"
    tags = ("me",)
    opt = _OWN_ACCOUNT

    @get(summary="My profile")
    async def get_me(self, request: MeRequest, state: State) -> Profile:
        async with database_of(state).acquire() as connection:
            return await read_profile(connection, request.user.id, nik_vault_of(state))

    @patch(summary="Change my profile", opt={"problems": [409]})
    async def patch_me(
        self,
        request: MeRequest,
        data: JSONBody[ProfileUpdate],
        state: State,
    ) -> Profile:
        nik_vault = nik_vault_of(state)
        async with database_of(state).acquire() as connection:
            async with connection.transaction():
                region_code = settings_of(state).region_code
                changed = await update_profile(connection, request.user.id, data, nik_vault, region_code)
                if changed:
                    await record_by_caller(
                        connection,
                        request,
                        action="resident.profile_changed",
                        object_type="resident",
                        object_id=str(request.user.id),
                        details={"fields": changed},  # which fields, never their values
                    )
            return await read_profile(connection, request.user.id, nik_vault)

    @get("/export", summary="Everything held about me (UU PDP right of access)")
    async def export_me(self, request: MeRequest, state: State) -> DataExport:
        async with database_of(state).acquire() as connection:
            return await export_resident(connection, request.user.id, nik_vault_of(state))

    @delete(summary="Erase my account (UU PDP right to erasure)")
    async def delete_me(self, request: MeRequest, database: NamedDependency[Database]) -> None:
        async with database.acquire() as connection, connection.transaction():
            await erase_resident(connection, request.user.id, request_id_of(request.scope))
