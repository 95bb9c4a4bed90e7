"""Checks a set of module declarations before anything of them runs."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter

from serang_app.cases.module_objects import object_problems
from serang_app.cases.workflow import ACTORS, PHASES, Workflow
from serang_app.module_system.discovery import ModuleError
from serang_app.module_system.spec import CORE_API_VERSION, ModuleSpec

SLUG = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
REFERENCE_PREFIX = re.compile(r"^[A-Z]{2,5}$")
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
    problems.extend(_shared_prefix_problems(specs))
    if problems:
        raise ModuleError("; ".join(problems))
    sorter = TopologicalSorter({spec.slug: spec.depends_on for spec in specs})
    try:
        order = list(sorter.static_order())
    except CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise ModuleError(f"module dependencies form a cycle: {cycle}") from None
    return [by_slug[slug] for slug in order]


def _shared_prefix_problems(specs: Sequence[ModuleSpec]) -> list[str]:
    # Reference numbers are counted per prefix: two workflows sharing one would share numbers
    # and residents could not tell their requests apart by reference.
    owners: dict[str, list[str]] = {}
    for spec in specs:
        for workflow in spec.workflows:
            owners.setdefault(workflow.reference_prefix, []).append(f"{spec.slug}/{workflow.code}")
    return [
        f"reference prefix {prefix!r} is used by more than one workflow: {', '.join(names)}"
        for prefix, names in owners.items()
        if len(names) > 1
    ]


def _spec_problems(spec: ModuleSpec) -> list[str]:
    problems = []
    if not SLUG.match(spec.slug):
        problems.append("slug must be 2-31 lowercase letters, digits or underscores, starting with a letter")
    if spec.slug in RESERVED_SLUGS:
        problems.append("slug is reserved by the core")
    if spec.core_api != CORE_API_VERSION:
        problems.append(f"needs core API version {spec.core_api}, this core offers {CORE_API_VERSION}")
    if spec.root_router is not None and not _root_path_allowed(spec.root_router.path):
        problems.append(
            f"root router path {spec.root_router.path!r} must be a path of its own, not under /v1 or a core path"
        )
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
    problems.extend(
        f"problem code {code!r} must start with {spec.slug + '_'!r}"
        for code in spec.problems
        if not code.startswith(f"{spec.slug}_")
    )
    problems.extend(f"workflow {code!r} is declared twice" for code in _repeated([w.code for w in spec.workflows]))
    problems.extend(f"task {name!r} is declared twice" for name in _repeated([task.name for task in spec.tasks]))
    for task in spec.tasks:
        if not CODE.fullmatch(task.name):
            problems.append(f"task {task.name!r}: name must be lowercase letters, digits or underscores")
        if not task.interval_seconds > 0:
            problems.append(f"task {task.name!r}: interval_seconds must be positive")
    problems.extend(workflow_problems(spec))
    if spec.migrations is not None and spec.migrations.is_dir():
        # Imported here, as in discovery: `serang-app` commands that never validate a module (the
        # worker's health check) do not pay pglast's import.
        from serang_app.module_system.module_sql import migration_problems

        problems.extend(migration_problems(spec.slug, spec.migrations))
    return problems


def workflow_problems(spec: ModuleSpec) -> list[str]:
    """The module's workflows and notification templates: states, transitions, reachability,
    and every template in both languages with the same placeholders."""
    problems = []
    for template_code, text in spec.templates.items():
        if not text.id.strip() or not text.en.strip():
            problems.append(f"template {template_code!r} needs both an Indonesian and an English text")
        elif _placeholders(text.id) != _placeholders(text.en):
            problems.append(
                f"template {template_code!r} uses {sorted(_placeholders(text.id))} in Indonesian "
                f"but {sorted(_placeholders(text.en))} in English"
            )
    for workflow in spec.workflows:
        problems.extend(_workflow_problems(workflow, spec))
    return problems


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:  # an unbalanced brace: reported as a placeholder no call can fill
        return {"<unbalanced brace>"}


def _workflow_problems(workflow: Workflow, spec: ModuleSpec) -> list[str]:
    where = f"workflow {workflow.code!r}"
    problems = []
    if not CODE.match(workflow.code):
        problems.append(f"{where}: code must be lowercase letters, digits or underscores")
    if not REFERENCE_PREFIX.match(workflow.reference_prefix):
        problems.append(f"{where}: reference prefix {workflow.reference_prefix!r} must be 2-5 capital letters")
    state_codes = [state.code for state in workflow.states]
    problems.extend(f"{where}: state {code!r} is declared twice" for code in _repeated(state_codes))
    for state in workflow.states:
        if not CODE.match(state.code):
            problems.append(f"{where}: state {state.code!r} must be lowercase letters, digits or underscores")
        if state.phase not in PHASES:
            problems.append(f"{where}: state {state.code!r} has unknown phase {state.phase!r}")
    problems.extend(object_problems(workflow, spec.slug))
    if workflow.initial not in state_codes:
        problems.append(f"{where}: initial state {workflow.initial!r} is not one of its states")
    actions = [transition.action for transition in workflow.transitions]
    problems.extend(f"{where}: action {action!r} is declared twice" for action in _repeated(actions))
    for transition in workflow.transitions:
        what = f"{where}: action {transition.action!r}"
        if not CODE.match(transition.action):
            problems.append(f"{what} must be lowercase letters, digits or underscores")
        if not transition.source:
            problems.append(f"{what} starts from no state")
        for named in (*transition.source, transition.target):
            if named not in state_codes:
                problems.append(f"{what} names unknown state {named!r}")
        if not transition.actors:
            problems.append(f"{what} names nobody who may take it")
        problems.extend(f"{what} names unknown actor {actor!r}" for actor in transition.actors if actor not in ACTORS)
        if transition.notify is not None and transition.notify not in spec.templates:
            problems.append(f"{what} sends template {transition.notify!r}, which the module does not declare")
        if (transition.when_rated or transition.after_days is not None) and "system" not in transition.actors:
            problems.append(f"{what} is taken by the core (when_rated or after_days) but does not name 'system'")
        if transition.after_days is not None and not 1 <= transition.after_days <= 365:
            problems.append(f"{what}: after_days must be 1 to 365")
        if transition.reroutes and set(transition.actors) <= {"system", "resident"}:
            problems.append(f"{what} reroutes the case but names no staff role to take it")
    if workflow.initial in state_codes:
        reachable = _reachable(workflow)
        problems.extend(
            f"{where}: state {code!r} cannot be reached from {workflow.initial!r}"
            for code in state_codes
            if code not in reachable
        )
    return problems


# The first path segments the core serves itself.
CORE_ROOTS = frozenset({"", "v1", "healthz", "readyz", "metrics", "schema"})


def _root_path_allowed(path: str) -> bool:
    first = path.strip("/").split("/", 1)[0]
    return bool(first) and first not in CORE_ROOTS and re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", first) is not None


def _reachable(workflow: Workflow) -> set[str]:
    reached = {workflow.initial}
    frontier = [workflow.initial]
    while frontier:
        current = frontier.pop()
        for transition in workflow.transitions:
            if current in transition.source and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    return reached


def _repeated(codes: Sequence[str]) -> list[str]:
    return sorted({code for code in codes if codes.count(code) > 1})
