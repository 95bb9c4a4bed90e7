"""/v1/admin/staff: Diskominfosatik's admins create staff accounts, list them, change and disable them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.db.pool import Database
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.opds.schemas import OPD_CODE_PATTERN
from serang_app.staff import directory
from serang_app.staff.admin_schemas import NewStaff, StaffChange, StaffMember, StaffPage, StaffRole
from serang_app.staff.passwords import hash_password_async

_STAFF_MANAGE = {"permission": "staff.manage"}
AdminRequest = Request[Principal, Any, Any]
OpdFilter = Annotated[
    str | None,
    QueryParameter(name="opd_code", description="Only this agency's staff.", pattern=OPD_CODE_PATTERN, required=False),
]
RoleFilter = Annotated[StaffRole | None, QueryParameter(name="role", description="Only this role.", required=False)]
ActiveFilter = Annotated[
    bool | None,
    QueryParameter(name="active", description="true: only active accounts; false: only disabled ones.", required=False),
]


class StaffAdminController(Controller):
    path = "/v1/admin/staff"
    tags = ("admin",)
    opt = _STAFF_MANAGE

    @post(summary="Create a staff account", opt={"problems": [409]})
    async def create_staff(
        self, request: AdminRequest, data: JSONBody[NewStaff], database: NamedDependency[Database]
    ) -> StaffMember:
        # Hashed before a connection is taken: the pool is not held through 50 ms of argon2.
        password_hash = await hash_password_async(data.password)
        async with database.acquire() as connection, connection.transaction():
            member = await directory.create_staff(connection, data, password_hash)
            await record_by_caller(
                connection,
                request,
                action="staff.created",
                object_type="staff",
                object_id=str(member.id),
                details={"role": member.role, "opd_code": member.opd_code},
            )
        return member

    @get(summary="Staff accounts, newest first")
    async def list_staff(
        self,
        database: NamedDependency[Database],
        opd_code: OpdFilter = None,
        role: RoleFilter = None,
        active: ActiveFilter = None,
        limit: PageLimit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> StaffPage:
        where = directory.StaffFilter(opd_code=opd_code, role=role, active=active)
        async with database.acquire() as connection:
            return await directory.list_staff(connection, where, limit=limit, cursor=cursor)

    @patch(
        "/{staff_id:uuid}",
        summary="Change a staff account's name, role or agency, or disable or enable it",
        opt={"problems": [404, 409]},
    )
    async def change_staff(
        self,
        request: AdminRequest,
        staff_id: FromPath[uuid.UUID],
        data: JSONBody[StaffChange],
        database: NamedDependency[Database],
    ) -> StaffMember:
        async with database.acquire() as connection, connection.transaction():
            member, changed = await directory.change_staff(connection, staff_id, data, acting_admin=request.user.id)
            if changed:
                await record_by_caller(
                    connection,
                    request,
                    action="staff.changed",
                    object_type="staff",
                    object_id=str(member.id),
                    details={"fields": changed},  # which fields, never their values
                )
        return member
