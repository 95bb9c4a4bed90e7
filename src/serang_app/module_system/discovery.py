"""Finding modules: every installed package that exposes the `serang_app.modules` entry point.

Built-in modules register through the same entry points as third-party ones; the core names none
of them. ``SERANG_MODULES`` is an allowlist: a module left out of it is listed but not loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from serang_app.module_system.spec import ModuleSpec

ENTRY_POINT_GROUP = "serang_app.modules"


class ModuleError(Exception):
    """A module cannot be loaded or its declaration is wrong; the message names the module."""


@dataclass(frozen=True, slots=True)
class DiscoveredModule:
    name: str  # the entry point's name, which must be the module's slug
    distribution: str
    enabled: bool
    # The import name the entry point loads the spec from: the module's package, whose SQL the
    # data contract's check reads (module_sql.py).
    package: str = ""
    spec: ModuleSpec | None = None
    error: str | None = None


def discover_modules(allowlist: frozenset[str] | None) -> list[DiscoveredModule]:
    """Every module installed, loaded when enabled; failures are reported, not raised."""
    found = []
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        enabled = allowlist is None or entry_point.name in allowlist
        distribution = entry_point.dist.name if entry_point.dist is not None else "?"
        package = entry_point.module
        if not enabled:
            found.append(
                DiscoveredModule(name=entry_point.name, distribution=distribution, enabled=False, package=package)
            )
            continue
        try:
            spec = _load(entry_point)
        except Exception as error:  # a broken third-party package must not hide the others
            found.append(
                DiscoveredModule(
                    name=entry_point.name,
                    distribution=distribution,
                    enabled=True,
                    package=package,
                    error=f"{type(error).__name__}: {error}",
                )
            )
            continue
        found.append(
            DiscoveredModule(name=entry_point.name, distribution=distribution, enabled=True, package=package, spec=spec)
        )
    return found


def enabled_specs(allowlist: frozenset[str] | None) -> list[ModuleSpec]:
    """The specs of the enabled modules, or ModuleError if any of them cannot be used: one failed to
    load, or its package's SQL names core tables instead of the data contract's views."""
    # Imported here: pglast costs every `serang-app` command (worker-health, run by compose every few
    # seconds) its import time, and only loading modules to run them needs it.
    from serang_app.module_system.module_sql import code_problems, package_files

    discovered = discover_modules(allowlist)
    names = {module.name for module in discovered}
    if allowlist is not None and (unknown := sorted(allowlist - names)):
        raise ModuleError(f"SERANG_MODULES names modules that are not installed: {', '.join(unknown)}")
    problems = [f"module {m.name!r} ({m.distribution}) failed to load: {m.error}" for m in discovered if m.error]
    problems += [
        f"module {m.name!r}: {problem}"
        for m in discovered
        if m.spec is not None
        for problem in code_problems(m.spec.slug, package_files(m.package))
    ]
    if problems:
        raise ModuleError("; ".join(problems))
    return [module.spec for module in discovered if module.spec is not None]


def _load(entry_point: EntryPoint) -> ModuleSpec:
    loaded = entry_point.load()
    spec = loaded() if callable(loaded) and not isinstance(loaded, ModuleSpec) else loaded
    if not isinstance(spec, ModuleSpec):
        raise TypeError(f"entry point {entry_point.value} is not a ModuleSpec")
    if spec.slug != entry_point.name:
        raise ValueError(f"entry point name {entry_point.name!r} differs from the spec's slug {spec.slug!r}")
    return spec
