"""Checks a set of module declarations before anything of them runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter

from serang_app.module_system.discovery import ModuleError
from serang_app.module_system.spec import CORE_API_VERSION, ModuleSpec, Workflow

SLUG = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
# Slugs the core's own URLs, schemas and namespaces already use.
RESERVED_SLUGS = frozenset(
    {
        "core",
        "public",
        "admin",
        "staff",
        "me",
        "auth",
        "cases",
        "uploads",
        "services",
        "regions",
        "announcements",
        "app",
        "stats",
        "pg_catalog",
        "information_schema",
    }
)


def validate_modules(specs: Sequence[ModuleSpec]) -> list[ModuleSpec]:
    """Return the specs in dependency order, or raise ModuleError listing every problem found."""
    problems: list[str] = []
    by_slug: dict[str, ModuleSpec] = {}
    for spec in specs:
        if spec.slug in by_slug:
            problems.append(f"module slug {spec.slug!r} is declared twice")
        by_slug[spec.slug] = spec
        problems.extend(f"module {spec.slug!r}: {problem}" for problem in _spec_problems(spec))
    for spec in specs:
        for dependency in spec.depends_on:
            if dependency not in by_slug:
                problems.append(
                    f"module {spec.slug!r} depends on {dependency!r}, which is not installed or not enabled"
                )
    if problems:
        raise ModuleError("; ".join(problems))
    sorter = TopologicalSorter({spec.slug: spec.depends_on for spec in specs})
    try:
        order = list(sorter.static_order())
    except CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise ModuleError(f"module dependencies form a cycle: {cycle}") from None
    return [by_slug[slug] for slug in order]


def _spec_problems(spec: ModuleSpec) -> list[str]:
    problems = []
    if not SLUG.match(spec.slug):
        problems.append("slug must be 2-31 lowercase letters, digits or underscores, starting with a letter")
    if spec.slug in RESERVED_SLUGS:
        problems.append("slug is reserved by the core")
    if spec.core_api != CORE_API_VERSION:
        problems.append(f"needs core API version {spec.core_api}, this core offers {CORE_API_VERSION}")
    if spec.migrations is not None and not spec.migrations.is_dir():
        problems.append(f"migrations folder not found: {spec.migrations}")
    prefix = f"{spec.slug}."
    problems.extend(
        f"permission {permission.code!r} must start with {prefix!r}"
        for permission in spec.permissions
        if not permission.code.startswith(prefix)
    )
    problems.extend(
        f"catalogue service {service.code!r} must start with {prefix!r}"
        for service in spec.services
        if not service.code.startswith(prefix)
    )
    for template_code, text in spec.templates.items():
        if not text.id.strip() or not text.en.strip():
            problems.append(f"template {template_code!r} needs both an Indonesian and an English text")
    for workflow in spec.workflows:
        problems.extend(_workflow_problems(workflow, spec))
    return problems


def _workflow_problems(workflow: Workflow, spec: ModuleSpec) -> list[str]:
    where = f"workflow {workflow.code!r}"
    states = set(workflow.states)
    problems = []
    if workflow.initial not in states:
        problems.append(f"{where}: initial state {workflow.initial!r} is not one of its states")
    for transition in workflow.transitions:
        for state in (*transition.source, transition.target):
            if state not in states:
                problems.append(f"{where}: action {transition.action!r} names unknown state {state!r}")
        if transition.notify is not None and transition.notify not in spec.templates:
            problems.append(
                f"{where}: action {transition.action!r} sends template {transition.notify!r}, "
                "which the module does not declare"
            )
    return problems
