"""Bearer-token authentication for every route that is not public."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware

from serang_app.auth.access_tokens import AccessTokens, InvalidAccessTokenError
from serang_app.auth.permissions import (
    ACCOUNT_CHECKED_BY_ROUTE_OPT,
    OPENAPI_PATH,
    PUBLIC_OPT,
    PermissionRegistry,
    require_permission,
)
from serang_app.auth.principal import Principal, load_principal, resident_principal
from serang_app.db.pool import Database
from serang_app.http.problems import ApiError


class BearerTokenAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401)
        state = connection.app.state
        tokens: AccessTokens = state.access_tokens
        try:
            verified = tokens.verify(token.strip())
        except InvalidAccessTokenError:
            raise ApiError(401) from None
        subject, session_id = verified.subject, verified.session_id
        database: Database = state.database
        registry: PermissionRegistry = state.permission_registry
        handler = connection.scope["route_handler"]
        if subject.kind == "resident" and handler.opt.get(ACCOUNT_CHECKED_BY_ROUTE_OPT):
            principal: Principal | None = resident_principal(subject, registry, session_id)
        else:
            principal = await load_principal(database, subject, registry, session_id)
        if principal is None:  # erased resident, disabled or deleted staff account, signed-out session
            raise ApiError(401)
        require_permission(principal, handler)
        return AuthenticationResult(user=principal, auth=subject)


def signed_in_middleware() -> list[Any]:
    """The layers every signed-in route sits behind: authentication (with the permission check),
    then Idempotency-Key handling, which needs to know the caller.

    They are given to the routers that hold signed-in routes (core and modules) rather than to the
    whole app, so public routes such as the catalogue do not pass through them at all; the app
    refuses to start if a route that needs a permission is not behind them (app.py).
    """
    from serang_app.http.idempotency import idempotency_middleware

    return [authentication_middleware(), idempotency_middleware()]


def authentication_middleware() -> DefineMiddleware:
    return DefineMiddleware(BearerTokenAuthentication, exclude=[f"^{OPENAPI_PATH}"], exclude_from_auth_key=PUBLIC_OPT)
