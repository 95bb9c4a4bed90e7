"""Old apps are told to update: a request carrying `X-App-Platform` and `X-App-Version` older than
the platform's minimum is answered 426 (Upgrade Required) with the store link, instead of failing
in stranger ways against an API that moved on. Requests without the headers (the web, staff
tools, curl) and the configuration itself (which the app reads to learn the minimum) pass."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Request

from serang_app.app_config.schemas import version_tuple
from serang_app.app_config.store import AppConfigCache
from serang_app.http.problems import ApiError

PLATFORM_HEADER = "x-app-platform"
VERSION_HEADER = "x-app-version"
_PLATFORM = PLATFORM_HEADER.encode()
_VERSION = VERSION_HEADER.encode()
# Served to every app version: what an app reads to learn the minimum, health checks, the API document.
ALWAYS_SERVED = ("/v1/app/config", "/healthz", "/readyz", "/schema")


async def require_supported_app(request: Request[Any, Any, Any]) -> None:
    platform, version = _app_headers(request.scope["headers"])
    if platform not in ("android", "ios") or version is None or request.url.path.startswith(ALWAYS_SERVED):
        return
    given = version_tuple(version)
    if given is None:
        return  # not a version we can compare: served, as a request without the header is
    cache: AppConfigCache = request.app.state.app_config_cache
    config, _ = await cache.get(request.app.state.database)
    rule = config.android if platform == "android" else config.ios
    minimum = version_tuple(rule.min_version)
    if minimum is not None and given < minimum:
        raise ApiError(
            426,
            "app_update_required",
            params={"min_version": rule.min_version},
            extra={"min_version": rule.min_version, "store_url": rule.store_url},
        )


def _app_headers(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str | None, str | None]:
    """The request's first X-App-Platform and X-App-Version, read from the ASGI scope's header
    list: this runs before every request, and `request.headers` would first build Litestar's
    Headers of the whole request (docs/performance.md, "The hottest read, fifth round"). ASGI
    servers hand header names in lower case."""
    platform = version = None
    for name, value in headers:
        if name == _PLATFORM and platform is None:
            platform = value.decode("latin-1")
        elif name == _VERSION and version is None:
            version = value.decode("latin-1")
    return platform, version
