"""The Firebase verifier lives as long as the app, and only when a Firebase project is configured
(the settings the app's state holds when it starts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from serang_app.app_state import settings_of
from serang_app.auth.firebase import FirebaseSettings, FirebaseVerifier


@asynccontextmanager
async def firebase_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = settings_of(app.state)
    if settings.firebase_project_id is None:
        # Without a project, POST /v1/auth/firebase answers 503; dev sign-in still works.
        yield
        return
    verifier = FirebaseVerifier(
        FirebaseSettings(
            project_id=settings.firebase_project_id,
            credentials_file=settings.firebase_credentials_file,
            certificates_url=settings.firebase_certificates_url,
            auth_api_url=settings.firebase_auth_api_url,
        )
    )
    app.state.firebase_verifier = verifier
    try:
        yield
    finally:
        verifier.close()
