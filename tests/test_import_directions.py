"""The rooms of the core import each other only through the doors docs/architecture.md names.

Read from the source with `ast`, every import counted (inside functions and under TYPE_CHECKING
too): an import that only type-checks still ties the two rooms together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.database import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "serang_app"

# (the importing room, the room it must not import, why)
FORBIDDEN = [
    ("cases", "serang_app.module_system", "the workflow vocabulary is the cases domain's; modules import it"),
    ("uploads", "serang_app.cases", "the request's actor is auth's (auth/actor.py)"),
    ("announcements", "serang_app.cases", "the request's actor is auth's (auth/actor.py)"),
    ("http", "serang_app.app", "the HTTP layer is given the app, it does not build one"),
    ("storage", "serang_app.uploads", "uploads tell storage what they need (storage/limits.py)"),
    ("auth", "serang_app.cases", "identity does not depend on the rooms that act"),
    ("bilingual.py", "serang_app", "the shared vocabulary is neutral ground"),
    ("declaration.py", "serang_app.module_system", "modules declare in the core's shape, not the reverse"),
]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, absolute or relative, with the line."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _files(room: str) -> list[Path]:
    target = PACKAGE / room
    return [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))


def _is_within(module: str, forbidden: str) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


@pytest.mark.parametrize(("room", "forbidden", "why"), FORBIDDEN, ids=[f"{r} -> {f}" for r, f, _ in FORBIDDEN])
def test_a_room_does_not_import_what_it_must_not(room: str, forbidden: str, why: str) -> None:
    files = _files(room)
    assert files, f"{room} has no source: the rule guards nothing"
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if _is_within(module, forbidden)
    ]
    assert wrong == [], why


def test_only_the_composition_imports_the_domains_declarations() -> None:
    """Each domain's `domain.py` is read by domains.py alone, so no room depends on another's
    declaration (and through it on all of that room's routes)."""
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "domains.py"
        for line, module in imported_modules(path)
        if module.startswith("serang_app.") and module.split(".")[-1] == "domain" and module.count(".") == 2
    ]
    assert wrong == []


def test_the_walk_sees_every_way_of_importing() -> None:
    """Absolute, relative, in a function and type-checking-only imports alike: the circle of
    before (cases/ importing the module contract) is found however it is written."""
    source = """
from typing import TYPE_CHECKING
import serang_app.module_system
from ..module_system import spec
if TYPE_CHECKING:
    from serang_app.module_system.spec import ModuleSpec
def later():
    from .registry import WorkflowRegistry
"""
    found = imports_in(source, "serang_app.cases")
    wrong = [line for line, module in found if _is_within(module, "serang_app.module_system")]
    assert sorted(set(wrong)) == [3, 4, 6]
    assert (8, "serang_app.cases.registry") in found
    assert not _is_within("serang_app.module_systems", "serang_app.module_system")
