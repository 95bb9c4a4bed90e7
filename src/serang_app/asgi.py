"""The ASGI entry point servers load: `granian --factory serang_app.asgi:app_from_environment`."""

from __future__ import annotations

from litestar import Litestar

from serang_app.app import create_app
from serang_app.logs import configure_logging
from serang_app.settings import load_settings


def app_from_environment() -> Litestar:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
