"""Named permissions (`{area}.{action}`), the roles that hold them, and the one guard that checks.

A route declares what it needs in its opt: `opt={"permission": "staff.manage"}`, or
`opt={"public": True}` for anyone. The authentication middleware checks it for every route that is
not public, and the app refuses to start with a route that declares neither, so a forgotten check
cannot ship.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from litestar.handlers.base import BaseRouteHandler

from serang_app.http.problems import ApiError

Role = Literal["resident", "officer", "supervisor", "admin"]
STAFF_ROLES: tuple[Role, ...] = ("officer", "supervisor", "admin")
PERMISSION_OPT = "permission"
PUBLIC_OPT = "public"
# A residents' route whose own query proves the account is still active (it reads through
# `residents` with `erased_at IS NULL`, and checks the account itself when that finds nothing)
# says so with this opt: the authentication middleware then skips its own look-up of the
# account, which would cost the hot read a second database round trip (docs/performance.md).
ACCOUNT_CHECKED_BY_ROUTE_OPT = "resident_account_checked_by_route"
# Litestar's own routes (the OpenAPI document and its viewers) are public; they cannot carry opt.
OPENAPI_PATH = "/schema"


@dataclass(frozen=True, slots=True)
class Permission:
    code: str
    roles: tuple[Role, ...]
    description: str


class PermissionRegistry:
    """Every permission the core's domains and the enabled modules declare (domains.py:
    permission_registry), and which role holds which."""

    def __init__(self, permissions: Iterable[Permission]) -> None:
        self._by_code: dict[str, Permission] = {}
        for permission in permissions:
            if permission.code in self._by_code:
                raise ValueError(f"permission {permission.code!r} is declared twice")
            self._by_code[permission.code] = permission
        self._by_role: dict[str, frozenset[str]] = {
            role: frozenset(
                code
                for code, permission in self._by_code.items()
                # Diskominfosatik's admins act for every agency: they hold every staff permission.
                if role in permission.roles or (role == "admin" and set(permission.roles) & set(STAFF_ROLES))
            )
            for role in ("resident", *STAFF_ROLES)
        }

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def for_role(self, role: str) -> frozenset[str]:
        return self._by_role.get(role, frozenset())


def is_public(handler: BaseRouteHandler) -> bool:
    # Litestar adds an OPTIONS handler to every path by itself; it reveals only the allowed methods.
    return bool(handler.opt.get(PUBLIC_OPT)) or set(getattr(handler, "http_methods", ())) == {"OPTIONS"}


def require_permission(principal: Any, handler: BaseRouteHandler) -> None:
    """The signed-in principal must hold the route's permission, or the answer is 403.

    Called by the authentication middleware right after it identified the caller. It is not a
    Litestar guard: guards run on every route, public ones included, and a check that only
    concerns signed-in routes belongs where only those pass.
    """
    code = handler.opt.get(PERMISSION_OPT)
    if code is None or code not in principal.permissions:
        raise ApiError(403)
