"""Residents sign in only having consented to the privacy policy in force."""

from __future__ import annotations

from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from serang_app.http.problems import ApiError, LocalizedFieldError


def require_current_policy(version: str) -> None:
    """422 `consent_outdated` for any other version, with the current one in the problem's
    `current_version` (and in its text), so the app can ask for consent to the new policy."""
    if version == CURRENT_PRIVACY_POLICY:
        return
    raise ApiError(
        422,
        "consent_outdated",
        params={"current": CURRENT_PRIVACY_POLICY},
        extra={"current_version": CURRENT_PRIVACY_POLICY},
        errors=[
            LocalizedFieldError(
                "consent_policy_version",
                f"Versi kebijakan privasi sudah diganti; yang berlaku: {CURRENT_PRIVACY_POLICY}",
                f"The privacy policy has changed; the current version is {CURRENT_PRIVACY_POLICY}",
            )
        ],
    )
