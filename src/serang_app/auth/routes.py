"""Resident sign-in (Firebase, or dev mode's phone-only), refresh and sign-out."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from serang_app.auth.access_tokens import AccessSubject
from serang_app.auth.refresh_tokens import RefreshRefusedError, revoke_by_token
from serang_app.auth.schemas import DevSignIn, RefreshRequest, TokenPair
from serang_app.auth.sessions import SessionIssuer
from serang_app.db.pool import Database
from serang_app.http.problems import ApiError, FieldError
from serang_app.http.request_id import request_id_of
from serang_app.residents.accounts import sign_in_resident
from serang_app.settings import Settings

_PUBLIC = {"public": True}


def require_current_policy(settings: Settings, accepted_version: str) -> None:
    if accepted_version != settings.privacy_policy_version:
        raise ApiError(
            422,
            errors=[
                FieldError(
                    field="consent_policy_version",
                    message=f"The current privacy policy is version {settings.privacy_policy_version}",
                )
            ],
        )


@post(
    "/v1/auth/dev",
    tags=["auth"],
    summary="Development sign-in with a phone number alone (404 in production)",
    opt={**_PUBLIC, "problems": [404]},
    status_code=200,
)
async def dev_sign_in(
    request: Request[Any, Any, Any],
    data: JSONBody[DevSignIn],
    database: NamedDependency[Database],
    settings: NamedDependency[Settings],
    session_issuer: NamedDependency[SessionIssuer],
) -> TokenPair:
    if settings.is_production:
        raise ApiError(404)
    require_current_policy(settings, data.consent_policy_version)
    async with database.acquire() as connection, connection.transaction():
        resident_id = await sign_in_resident(
            connection,
            phone=data.phone,
            firebase_uid=None,
            policy_version=data.consent_policy_version,
            method="dev",
            request_id=request_id_of(request.scope),
        )
        return await session_issuer.start(connection, AccessSubject(kind="resident", id=resident_id))


@post(
    "/v1/auth/refresh",
    tags=["auth"],
    summary="Exchange a refresh token for new tokens (the old one stops working)",
    opt={**_PUBLIC, "problems": [401]},
    status_code=200,
)
async def refresh(
    data: JSONBody[RefreshRequest], database: NamedDependency[Database], session_issuer: NamedDependency[SessionIssuer]
) -> TokenPair:
    async with database.acquire() as connection:
        try:
            return await session_issuer.refresh(connection, data.refresh_token)
        except RefreshRefusedError:
            raise ApiError(401) from None


@post(
    "/v1/auth/logout",
    tags=["auth"],
    summary="Sign out: the refresh token and every token issued from the same sign-in stop working",
    opt=_PUBLIC,
    status_code=204,
)
async def logout(data: JSONBody[RefreshRequest], database: NamedDependency[Database]) -> None:
    # Unknown tokens answer 204 too: signing out twice is not an error.
    async with database.acquire() as connection, connection.transaction():
        await revoke_by_token(connection, data.refresh_token)
