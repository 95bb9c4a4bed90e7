"""Who a rate limit counts against: the signed-in account when the request carries a valid access
token, else the client's address (http/client_address.py).

Keying on the account means residents behind one carrier NAT, or behind our own load balancer,
do not share one allowance, and one resident cannot escape theirs by changing address. The token
is checked with the process's cache of verified tokens (auth/access_tokens.py), so this costs a
look-up, not a signature check, on the hot paths; whether the account is still active is the
authentication middleware's business, later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Request

from serang_app.auth.access_tokens import AccessSubject, AccessTokens, InvalidAccessTokenError
from serang_app.http.client_address import Network, client_address

_AUTHORIZATION = b"authorization"


@dataclass(frozen=True, slots=True)
class LimitedCaller:
    key: str
    is_account: bool


def caller_of(scope: Any, trusted: Sequence[Network]) -> LimitedCaller:
    subject = _subject(scope)
    if subject is not None:
        return LimitedCaller(f"{subject.kind}:{subject.id}", is_account=True)
    return LimitedCaller(f"address:{client_address(scope, trusted)}", is_account=False)


def request_identifier(trusted: Sequence[Network]) -> Callable[[Request[Any, Any, Any]], str]:
    """The key of Litestar's per-process request limit (RateLimitConfig.identifier_for_request)."""

    def identifier(request: Request[Any, Any, Any]) -> str:
        return caller_of(request.scope, trusted).key

    return identifier


def _subject(scope: Any) -> AccessSubject | None:
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION:
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            tokens: AccessTokens = scope["app"].state.access_tokens
            try:
                return tokens.verify(token.strip()).subject
            except InvalidAccessTokenError:
                return None
    return None
