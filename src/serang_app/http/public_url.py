"""The origin of every absolute URL the app hands out: the configured SERANG_PUBLIC_URL.

Never the request's Host or X-Forwarded-Host: a client chooses those, and what the URL ends up in
outlives the request (a QR code printed on a permit, a redirect a proxy caches, a link another
system stores). Paths after the origin are the app's own.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from serang_app.app_state import settings_of


def public_base_url(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """`https://layanan.serangkab.go.id` (no trailing slash), whatever the request says."""
    return settings_of(connection.app.state).public_base_url
