"""POST /v1/staff/auth/login: agency staff sign in with e-mail and password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.params import JSONBody

from serang_app.app_state import database_of, session_issuer_of, settings_of
from serang_app.auth.access_tokens import AccessSubject
from serang_app.auth.schemas import StaffSignIn, TokenPair
from serang_app.http.problems import ApiError
from serang_app.http.request_id import request_id_of
from serang_app.staff.sign_in import attempt_sign_in


@post(
    "/v1/staff/auth/login",
    tags=["staff"],
    summary="Staff sign-in; locked for a while after repeated failures",
    opt={"public": True, "problems": [401]},
    status_code=200,
)
async def staff_login(
    request: Request[Any, Any, Any],
    data: JSONBody[StaffSignIn],
    state: State,
) -> TokenPair:
    settings = settings_of(state)
    lockout = timedelta(minutes=settings.staff_lockout_minutes)
    async with database_of(state).acquire() as connection, connection.transaction():
        outcome = await attempt_sign_in(
            connection,
            email=data.email,
            password=data.password,
            max_failures=settings.staff_max_failed_sign_ins,
            lockout=lockout,
            request_id=request_id_of(request.scope),
        )
        if outcome.staff_id is not None:
            return await session_issuer_of(state).start(connection, AccessSubject(kind="staff", id=outcome.staff_id))
    # Raised after the commit, so the failure count is kept.
    if outcome.locked:
        raise ApiError(
            429,
            "sign_in_locked",
            params={"minutes": settings.staff_lockout_minutes},
            headers={"Retry-After": str(int(lockout.total_seconds()))},
        )
    raise ApiError(401, "invalid_credentials")
