"""What GET /v1/app/config answers and admins send."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from serang_app.forms.fields import LongLocalText
from serang_app.http.digits import ascii_number
from serang_app.identity.deployment import DeploymentIdentity

Platform = Literal["android", "ios"]
AppVersion = Annotated[str, msgspec.Meta(pattern=r"^\d{1,4}(\.\d{1,4}){0,2}$", examples=["1.4.2"])]
StoreUrl = Annotated[str, msgspec.Meta(pattern=r"^https://[^\s]{1,300}$")]
FeatureName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,40}$")]


class PlatformRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # Older apps are answered 426 with the store link.
    min_version: AppVersion
    store_url: StoreUrl | None = None


class AppConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    android: PlatformRule
    ios: PlatformRule
    # Shown on the app's home screen while set (the API keeps serving).
    maintenance: LongLocalText | None = None
    features: Annotated[dict[FeatureName, bool], msgspec.Meta(max_length=50)] = {}


class PublishedAppConfig(AppConfig, frozen=True, kw_only=True):
    """What GET /v1/app/config answers: the configuration admins keep, and who runs the service
    (from the deployment's settings, not editable here)."""

    deployment: DeploymentIdentity


def version_tuple(version: str) -> tuple[int, ...] | None:
    """1.4 -> (1, 4, 0); None for anything that is not such a version."""
    parts = version.strip().split(".")
    if not 1 <= len(parts) <= 3:
        return None
    numbers = [number for part in parts if (number := ascii_number(part, max_digits=4)) is not None]
    if len(numbers) != len(parts):
        return None
    return tuple(numbers + [0] * (3 - len(numbers)))
