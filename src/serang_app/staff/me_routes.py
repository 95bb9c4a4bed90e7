"""GET /v1/staff/me: who the signed-in staff member is, as the officers' app shows it.

Staff need their own id (self-assignment names it) and agency without decoding their token.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, get
from litestar.datastructures import State

from serang_app.app_state import database_of
from serang_app.auth.principal import Principal
from serang_app.http.locale import Locale, negotiate_locale
from serang_app.http.problems import ApiError
from serang_app.staff.accounts import ADMIN_OPD
from serang_app.staff.admin_schemas import StaffRole

_ME = """
SELECT s.id, s.name, s.role, o.code, o.short_name, o.name AS opd_name
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
    # The language this session's answers come in (from Accept-Language: staff accounts keep none).
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
        row = await connection.fetchrow(_ME, request.user.id, ADMIN_OPD)
    if row is None:  # disabled meanwhile: as if signed out
        raise ApiError(401)
    return StaffSelf(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        agency=StaffAgency(code=row["code"], short_name=row["short_name"], name=row["opd_name"]),
        locale=negotiate_locale(request.headers.get("accept-language")),
    )
