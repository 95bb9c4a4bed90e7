"""The ASGI entry point servers load: `granian --factory serang_app.asgi:app_from_environment`."""

from __future__ import annotations

import gc

from litestar import Litestar

from serang_app.app import create_app
from serang_app.logs import configure_logging
from serang_app.settings import load_settings


def app_from_environment() -> Litestar:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    # Last of the start-up hooks, so everything start-up built is in place when it runs.
    app.on_startup.append(freeze_startup_objects)
    return app


def freeze_startup_objects() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    The routes, the OpenAPI document, the caches and the pool live as long as the server process,
    yet every full collection walked all of them again: those pauses made the slowest 1 % of
    requests two to three times slower than the rest (docs/performance.md). Objects made later
    are collected as usual. Only here, in the server's entry point: a process that builds many
    apps (the test suite) would keep every one of them.
    """
    gc.collect()  # what is already garbage goes now rather than being kept for good
    gc.freeze()
