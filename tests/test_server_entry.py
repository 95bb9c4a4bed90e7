"""The entry point granian loads in production: the app it builds and its last start-up step."""

from __future__ import annotations

import gc

import pytest

from serang_app.asgi import app_from_environment, freeze_startup_objects
from serang_app.auth.keys import new_secrets


def test_the_server_app_freezes_what_start_up_built_last(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    production = {"DATABASE_URL": database_url, "SERANG_ENV": "production", "SERANG_PUBLIC_URL": "https://layanan.test"}
    for name, value in {**production, **new_secrets()}.items():
        monkeypatch.setenv(name, value)
    app = app_from_environment()
    assert app.on_startup[-1] is freeze_startup_objects
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()  # the test process builds many apps: it must not keep them all
