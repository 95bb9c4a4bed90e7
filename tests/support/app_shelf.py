"""Built apps kept for reuse within one test process, each given the next test's settings anew.

Building an app costs a tenth of a second or more of CPU (Litestar copies and checks each of its
230-odd route handlers), more than most tests take to run. So an app built for a test goes back
on this shelf when the test ends, and a later test whose settings differ only in the database
URL and the data folder takes it instead of building its own.

Taking an app gives it a new state made from the test's settings (app.py `state_for`: the
settings themselves, new caches, the test's storage folder, new keys' objects) and new stores
(the per-process request limit's counters). Its lifespans read the settings from that state when
it starts, so it opens the test's own database. Any other difference in the settings (limits,
keys, region, tracing, the body limit) may be built into the app's routes and middleware, so it
means another app. An app is only ever lent to one test at a time; one still running when its
test ends is not put back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Litestar
from litestar.datastructures import State
from litestar.stores.registry import StoreRegistry

from serang_app.app import create_app, state_for
from serang_app.http.openapi import document_errors
from serang_app.module_system.spec import ModuleSpec
from serang_app.module_system.validation import validate_modules
from serang_app.settings import Settings

# Apps kept per test process; an app whose settings name a test's own file (a logo in tmp_path)
# is never taken again, and the oldest such apps make room for new ones.
CAPACITY = 24


@dataclass(eq=False)
class _Built:
    app: Litestar
    specs: list[ModuleSpec]
    validated_specs: list[ModuleSpec]  # in dependency order, as the app got them
    reuse_key: Settings
    with_document: bool
    # The state's entries made when the app was built that state_for does not make (the Allow
    # header's methods per path, from the routes): kept for every test the app serves.
    built_state: dict[str, Any]
    running: bool = field(default=False)

    def serves(self, reuse_key: Settings, specs: Sequence[ModuleSpec], with_document: bool) -> bool:
        # Modules compare by value: permits_module() called twice declares the same routers and texts.
        return self.reuse_key == reuse_key and self.with_document == with_document and self.specs == list(specs)


class AppShelf:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._free: list[_Built] = []
        self._lent: list[_Built] = []
        self._lending = False

    @contextmanager
    def lending(self) -> Iterator[None]:
        """Lend apps for one test, and take them back when it ends."""
        self._lending = True
        try:
            yield
        finally:
            self._lending = False
            self._free.extend(built for built in self._lent if not built.running)
            self._lent.clear()
            del self._free[: max(0, len(self._free) - self._capacity)]

    def app(self, settings: Settings, modules: Sequence[ModuleSpec], *, with_document: bool) -> Litestar:
        """An app as `create_app(settings, modules)` builds it; without `with_document`, one that
        skips rewriting its OpenAPI document at start-up."""
        if not self._lending:
            # Outside a test (a fixture of a wider scope): built for that one use, never shelved.
            return _build(settings, modules, with_document=with_document).app
        reuse_key = _reuse_key(settings)
        for index, built in enumerate(self._free):
            if built.serves(reuse_key, modules, with_document):
                del self._free[index]
                _give_settings(built, settings)
                self._lent.append(built)
                return built.app
        built = _build(settings, modules, with_document=with_document)
        self._lent.append(built)
        return built.app


def _reuse_key(settings: Settings) -> Settings:
    """The settings without what each test has of its own, which only the state and the
    lifespans read (app.py state_for)."""
    return msgspec.structs.replace(settings, database_url=None, data_dir="")


def _build(settings: Settings, modules: Sequence[ModuleSpec], *, with_document: bool) -> _Built:
    app = create_app(settings, modules=list(modules))
    if not with_document:
        app.on_startup.remove(document_errors)
    built = _Built(
        app=app,
        specs=list(modules),
        validated_specs=validate_modules(list(modules)),
        reuse_key=_reuse_key(settings),
        with_document=with_document,
        built_state=app.state.dict(),
    )

    def started() -> None:
        built.running = True

    def stopped() -> None:
        built.running = False

    app.on_startup.append(started)
    app.on_shutdown.append(stopped)
    return built


def _give_settings(built: _Built, settings: Settings) -> None:
    made = state_for(settings, built.validated_specs)
    kept = {key: value for key, value in built.built_state.items() if key not in made}
    built.app.state = State({**kept, **made})
    built.app.stores = StoreRegistry()
