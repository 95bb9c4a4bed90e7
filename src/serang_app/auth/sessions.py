"""Starting, refreshing and ending a signed-in session: an access token plus a refresh token."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from serang_app.auth import refresh_tokens
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.permissions import PermissionRegistry
from serang_app.auth.principal import fetch_principal
from serang_app.auth.schemas import TokenPair


class SessionIssuer:
    def __init__(
        self,
        access_tokens: AccessTokens,
        registry: PermissionRegistry,
        *,
        refresh_lifetime: timedelta,
        refresh_grace: timedelta,
    ) -> None:
        self._access_tokens = access_tokens
        self._registry = registry
        self._refresh_lifetime = refresh_lifetime
        self._refresh_grace = refresh_grace

    async def start(self, connection: asyncpg.Connection, subject: AccessSubject) -> TokenPair:
        refresh = await refresh_tokens.start_family(connection, subject, self._refresh_lifetime)
        return self._pair(subject, refresh)

    async def refresh(self, connection: asyncpg.Connection, token: str) -> TokenPair:
        """Rotate the refresh token (in a transaction); RefreshRefusedError when it may not be used."""
        async with connection.transaction():
            rotated = await refresh_tokens.rotate(
                connection, token, lifetime=self._refresh_lifetime, grace=self._refresh_grace
            )
            if rotated is not None and await fetch_principal(connection, rotated[0], self._registry) is None:
                await refresh_tokens.revoke_family(connection, rotated[1].family_id)
                rotated = None
        # Raised only after the commit, so a revocation made above is kept.
        if rotated is None:
            raise refresh_tokens.RefreshRefusedError()
        subject, issued = rotated
        return self._pair(subject, issued)

    def _pair(self, subject: AccessSubject, refresh: refresh_tokens.IssuedRefreshToken) -> TokenPair:
        # The access token carries its sign-in (the family), so signing out can stop it at once.
        return TokenPair(
            access_token=self._access_tokens.issue(subject, refresh.family_id),
            expires_in=self._access_tokens.lifetime_seconds,
            refresh_token=refresh.token,
        )
