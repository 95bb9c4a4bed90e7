"""Bearer-token authentication for every route that is not public."""

from __future__ import annotations

from typing import Any, cast

from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from serang_app.auth.access_tokens import AccessSubject, AccessTokens, InvalidAccessTokenError
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

_AUTHORIZATION = b"authorization"
# Litestar's own OPTIONS handler answers which methods a path allows; it needs nobody signed in.
_UNAUTHENTICATED_METHODS = frozenset({"OPTIONS"})
_SCOPES = frozenset({"http", "websocket"})


class BearerTokenAuthentication:
    """A plain ASGI middleware rather than Litestar's AbstractAuthenticationMiddleware, which did
    the same in more steps on every signed-in request (an ASGIConnection and the parsed Headers of
    the whole request to read one header, a regular expression over the path; docs/performance.md,
    "The hottest read and filing, third round"). What it decides is unchanged: OPTIONS, public
    routes (`opt={"public": True}`) and Litestar's OpenAPI routes pass; everything else needs a
    valid bearer token of an active account holding the route's permission.
    """

    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] in _SCOPES
            and scope.get("method") not in _UNAUTHENTICATED_METHODS
            and not scope["path"].startswith(OPENAPI_PATH)
        ):
            handler = scope["route_handler"]
            if not handler.opt.get(PUBLIC_OPT):
                principal, subject = await authenticate(scope, handler)
                scope["user"] = principal
                # Where Litestar's authentication kept the token's subject (`request.auth`).
                cast(dict[str, Any], scope)["auth"] = subject
        await self.app(scope, receive, send)


async def authenticate(scope: Scope, handler: Any) -> tuple[Principal, AccessSubject]:
    """The signed-in caller of a request to `handler` and the subject its token names; ApiError
    401 (no valid token, or the account or session ended) or 403 (no permission for the route)."""
    token = _bearer_token(scope)
    state = scope["litestar_app"].state
    tokens: AccessTokens = state.access_tokens
    try:
        verified = tokens.verify(token)
    except InvalidAccessTokenError:
        raise ApiError(401) from None
    subject, session_id = verified.subject, verified.session_id
    registry: PermissionRegistry = state.permission_registry
    if subject.kind == "resident" and handler.opt.get(ACCOUNT_CHECKED_BY_ROUTE_OPT):
        principal: Principal | None = resident_principal(subject, registry, session_id)
    else:
        database: Database = state.database
        principal = await load_principal(database, subject, registry, session_id)
    if principal is None:  # erased resident, disabled or deleted staff account, signed-out session
        raise ApiError(401)
    require_permission(principal, handler)
    return principal, subject


def _bearer_token(scope: Scope) -> str:
    """The token of the request's first Authorization header (`Bearer <token>`, the scheme in any
    case); ApiError 401 when there is none. ASGI servers hand header names in lower case."""
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION:
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                break
            return token
    raise ApiError(401)


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
    return DefineMiddleware(BearerTokenAuthentication)
