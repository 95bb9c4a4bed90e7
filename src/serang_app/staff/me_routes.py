"""GET /v1/staff/me: who the signed-in staff member is, as the officers' app shows it; PATCH
/v1/staff/me: their language, the one their pushes and inbox speak (notifications/language.py).

Staff need their own id (self-assignment names it) and agency without decoding their token.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec
from litestar import Request, get, patch
from litestar.datastructures import State
from litestar.params import JSONBody

from serang_app.app_state import database_of
from serang_app.auth.principal import Principal
from serang_app.http.locale import Locale, negotiate_locale
from serang_app.http.problems import ApiError
from serang_app.notifications.language import set_staff_locale
from serang_app.staff.accounts import ADMIN_OPD
from serang_app.staff.admin_schemas import StaffRole

_ME = """
SELECT s.id, s.name, s.role, s.locale, o.code, o.short_name, o.name AS opd_name
FROM staff s JOIN opds o ON o.code = coalesce(s.opd_code, $2)
WHERE s.id = $1 AND s.is_active
"""


class StaffAgency(msgspec.Struct, kw_only=True):
    code: str
    short_name: str
    name: str


class StaffSelf(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    role: StaffRole
    # Officers' and supervisors' agency; Diskominfosatik for admins, who act for every agency.
    agency: StaffAgency
    # The staff member's language (PATCH /v1/staff/me), which their pushes and inbox speak; until
    # they choose one, the language this request asked for (Accept-Language).
    locale: Locale


class StaffSelfChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    locale: Locale


@get(
    "/v1/staff/me",
    tags=["staff"],
    operation_id="getStaffMe",
    summary="The signed-in staff member: id, agency, role, name",
    opt={"permission": "staff.self", "problems": [401, 403]},
)
async def staff_me(request: Request[Principal, Any, Any], state: State) -> StaffSelf:
    async with database_of(state).acquire() as connection:
        return await _read_self(connection, request)


@patch(
    "/v1/staff/me",
    tags=["staff"],
    operation_id="changeStaffMe",
    summary="Choose my language, for my pushes and my inbox",
    opt={"permission": "staff.self", "problems": [401, 403]},
)
async def change_staff_me(
    request: Request[Principal, Any, Any], state: State, data: JSONBody[StaffSelfChange]
) -> StaffSelf:
    async with database_of(state).acquire() as connection, connection.transaction():
        await set_staff_locale(connection, request.user.id, data.locale)
        return await _read_self(connection, request)


async def _read_self(connection: asyncpg.Connection, request: Request[Principal, Any, Any]) -> StaffSelf:
    row = await connection.fetchrow(_ME, request.user.id, ADMIN_OPD)
    if row is None:  # disabled meanwhile: as if signed out
        raise ApiError(401)
    return StaffSelf(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        agency=StaffAgency(code=row["code"], short_name=row["short_name"], name=row["opd_name"]),
        locale=row["locale"] or negotiate_locale(request.headers.get("accept-language")),
    )
