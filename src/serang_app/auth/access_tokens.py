"""Short-lived access tokens (JWT, EdDSA) naming a resident or a staff member.

pyjwt directly rather than Litestar's JWTAuth: that one holds a single secret, and we need a key
id in the header so keys can rotate (an old key verifies until it is retired).
"""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass
from typing import Literal

import jwt

from serang_app.auth.keys import ALGORITHM, SigningKeys

ISSUER = "serang-app"
AUDIENCE = "serang-app-api"
SubjectKind = Literal["resident", "staff"]
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]
# Phones' clocks drift; a few seconds of tolerance saves needless refreshes.
_CLOCK_LEEWAY_SECONDS = 30


class InvalidAccessTokenError(Exception):
    """The token is not one of ours, or no longer valid."""


@dataclass(frozen=True, slots=True)
class AccessSubject:
    kind: SubjectKind
    id: uuid.UUID


# Verified tokens kept per process. An app sends the same token with every request until it
# refreshes it, and checking an Ed25519 signature was the largest single cost of a signed-in
# request (a quarter of GET /v1/me/cases, docs/performance.md). The key is the whole token, so
# only the very bytes already verified hit; expiry is checked again on every use; tokens that
# fail are never kept. Whether the account is still active is checked per request regardless
# (principal.py), so a disabled account still stops at once.
VERIFIED_CACHE_SIZE = 4096


class AccessTokens:
    def __init__(self, keys: SigningKeys, lifetime_seconds: int) -> None:
        self._keys = keys
        self.lifetime_seconds = lifetime_seconds
        self._verified = functools.lru_cache(maxsize=VERIFIED_CACHE_SIZE)(self._verify_signed)

    def issue(self, subject: AccessSubject) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": f"{subject.kind}:{subject.id}",
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._keys.signing_key, algorithm=ALGORITHM, headers={"kid": self._keys.signing_kid})

    def verify(self, token: str) -> AccessSubject:
        subject, expires_at = self._verified(token)
        if time.time() >= expires_at + _CLOCK_LEEWAY_SECONDS:
            raise InvalidAccessTokenError("ExpiredSignatureError")
        return subject

    def _verify_signed(self, token: str) -> tuple[AccessSubject, int]:
        """The subject and expiry of a token whose signature and claims check out; raises otherwise."""
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.verifying.get(str(header.get("kid")))
            if key is None:
                raise InvalidAccessTokenError("unknown key id")
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=_CLOCK_LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidAccessTokenError(type(error).__name__) from None
        kind, _, raw_id = str(claims["sub"]).partition(":")
        if kind not in ("resident", "staff"):
            raise InvalidAccessTokenError("unknown subject kind")
        try:
            subject = AccessSubject(kind=kind, id=uuid.UUID(raw_id))  # type: ignore[arg-type]
        except ValueError:
            raise InvalidAccessTokenError("malformed subject") from None
        return subject, int(claims["exp"])
