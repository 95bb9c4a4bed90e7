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
CLOCK_LEEWAY_SECONDS = 30
# The most SERANG_ACCESS_TOKEN_SECONDS allows (settings.py): how long a revoked session must be
# remembered, whatever the setting was when its tokens were issued (auth/revoked_sessions.py).
LONGEST_LIFETIME_SECONDS = 3600


class InvalidAccessTokenError(Exception):
    """The token is not one of ours, or no longer valid."""


@dataclass(frozen=True, slots=True)
class AccessSubject:
    kind: SubjectKind
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    subject: AccessSubject
    # The sign-in the token belongs to (the `sid` claim: its refresh token family), so signing out
    # can stop it (auth/revoked_sessions.py). None for tokens issued before sessions were named,
    # which keep working until they expire, as they always did.
    session_id: uuid.UUID | None


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

    def issue(self, subject: AccessSubject, session_id: uuid.UUID | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": f"{subject.kind}:{subject.id}",
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        if session_id is not None:
            claims["sid"] = str(session_id)
        return jwt.encode(claims, self._keys.signing_key, algorithm=ALGORITHM, headers={"kid": self._keys.signing_kid})

    def verify(self, token: str) -> VerifiedToken:
        verified, expires_at = self._verified(token)
        if time.time() >= expires_at + CLOCK_LEEWAY_SECONDS:
            raise InvalidAccessTokenError("ExpiredSignatureError")
        return verified

    def _verify_signed(self, token: str) -> tuple[VerifiedToken, int]:
        """What a token whose signature and claims check out says, and its expiry; raises otherwise."""
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
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidAccessTokenError(type(error).__name__) from None
        kind, _, raw_id = str(claims["sub"]).partition(":")
        if kind not in ("resident", "staff"):
            raise InvalidAccessTokenError("unknown subject kind")
        try:
            subject = AccessSubject(kind=kind, id=uuid.UUID(raw_id))  # type: ignore[arg-type]
            session_id = uuid.UUID(str(claims["sid"])) if "sid" in claims else None
        except ValueError:
            raise InvalidAccessTokenError("malformed subject or session") from None
        return VerifiedToken(subject, session_id), int(claims["exp"])
