"""Resident sign-in (Firebase, or dev mode's phone-only), refresh and sign-out."""

from __future__ import annotations

from typing import Any, Literal

import structlog
from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody

from serang_app.app_state import database_of, session_issuer_of, settings_of
from serang_app.auth.access_tokens import AccessSubject
from serang_app.auth.consent import require_current_policy
from serang_app.auth.firebase import FirebaseTokenError, FirebaseVerifier
from serang_app.auth.refresh_tokens import RefreshRefusedError, revoke_by_token
from serang_app.auth.schemas import DevSignIn, FirebaseSignIn, RefreshRequest, TokenPair
from serang_app.db.pool import Database
from serang_app.http.problems import ApiError
from serang_app.http.request_id import request_id_of
from serang_app.http.write_limits import NO_ADDRESS_LIMIT_OPT
from serang_app.residents.accounts import sign_in_resident

_PUBLIC = {"public": True}
logger = structlog.get_logger()


@post(
    "/v1/auth/dev",
    tags=["auth"],
    summary="Development sign-in with a phone number alone (404 in production)",
    opt={**_PUBLIC, "problems": [404, 422]},
    status_code=200,
)
async def dev_sign_in(
    request: Request[Any, Any, Any],
    data: JSONBody[DevSignIn],
    state: State,
) -> TokenPair:
    if settings_of(state).is_production:
        raise ApiError(404)
    require_current_policy(data.consent_policy_version)
    return await _start_resident_session(
        request, state, phone=data.phone, firebase_uid=None, policy_version=data.consent_policy_version, method="dev"
    )


@post(
    "/v1/auth/firebase",
    tags=["auth"],
    summary="Sign in with a Firebase ID token from phone-number sign-in",
    opt={**_PUBLIC, "problems": [401, 422]},
    status_code=200,
)
async def firebase_sign_in(
    request: Request[Any, Any, Any],
    data: JSONBody[FirebaseSignIn],
    state: State,
) -> TokenPair:
    verifier: FirebaseVerifier | None = state.firebase_verifier
    if verifier is None:
        raise ApiError(503, "firebase_not_configured")
    require_current_policy(data.consent_policy_version)
    try:
        identity = await verifier.verify(data.id_token)
    except FirebaseTokenError as error:
        # The library's detail can quote the token's claims: log only the code.
        logger.info("firebase_token_refused", reason=error.code)
        raise ApiError(error.http_status) from None
    if identity.phone_number is None:  # only phone-number sign-in opens a resident account
        raise ApiError(401)
    return await _start_resident_session(
        request,
        state,
        phone=identity.phone_number,
        firebase_uid=identity.uid,
        policy_version=data.consent_policy_version,
        method="firebase",
    )


async def _start_resident_session(
    request: Request[Any, Any, Any],
    state: State,
    *,
    phone: str,
    firebase_uid: str | None,
    policy_version: str,
    method: Literal["dev", "firebase"],
) -> TokenPair:
    """Find or create the account and start its session, in one transaction."""
    async with database_of(state).acquire() as connection, connection.transaction():
        resident_id = await sign_in_resident(
            connection,
            phone=phone,
            firebase_uid=firebase_uid,
            policy_version=policy_version,
            method=method,
            request_id=request_id_of(request.scope),
        )
        return await session_issuer_of(state).start(connection, AccessSubject(kind="resident", id=resident_id))


@post(
    "/v1/auth/refresh",
    operation_id="refreshSession",
    tags=["auth"],
    summary="Exchange a refresh token for new tokens (the old one stops working)",
    opt={**_PUBLIC, "problems": [401], NO_ADDRESS_LIMIT_OPT: True},  # the token is the proof
    status_code=200,
)
async def refresh(data: JSONBody[RefreshRequest], state: State) -> TokenPair:
    async with database_of(state).acquire() as connection:
        try:
            return await session_issuer_of(state).refresh(connection, data.refresh_token)
        except RefreshRefusedError:
            raise ApiError(401) from None


@post(
    "/v1/auth/logout",
    operation_id="logOut",
    tags=["auth"],
    summary="Sign out: the refresh token and every token issued from the same sign-in stop working",
    opt={**_PUBLIC, NO_ADDRESS_LIMIT_OPT: True},
    status_code=204,
)
async def logout(data: JSONBody[RefreshRequest], database: NamedDependency[Database]) -> None:
    # Unknown tokens answer 204 too: signing out twice is not an error.
    async with database.acquire() as connection, connection.transaction():
        await revoke_by_token(connection, data.refresh_token)
