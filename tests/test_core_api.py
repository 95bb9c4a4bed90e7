"""The core API for modules (serang_app.api) is what modules import, and it is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import serang_app.api
from tests.support.database import PROJECT_ROOT

MODULE_SOURCES = [
    *sorted((PROJECT_ROOT / "src" / "serang_app" / "modules").rglob("*.py")),
    *sorted((PROJECT_ROOT / "examples").rglob("*.py")),
]
DOCUMENT = PROJECT_ROOT / "docs" / "core-api.md"


def _core_imports(path: Path) -> list[str]:
    """Every import of the core by the file, anywhere in it, but the public API and the file's own package."""
    own_package = ".".join(path.relative_to(PROJECT_ROOT / "src").parts[:3]) if "modules" in path.parts else None
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] != "serang_app" or name == "serang_app.api":
                continue
            if own_package and (name == own_package or name.startswith(own_package + ".")):
                continue
            found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} imports {name}")
    return found


def test_modules_import_the_core_only_through_its_api() -> None:
    assert len(MODULE_SOURCES) > 20  # the three built-in modules and the example are read
    assert [found for path in MODULE_SOURCES for found in _core_imports(path)] == []


def test_every_name_of_the_api_is_documented_with_the_current_release() -> None:
    document = DOCUMENT.read_text()
    undocumented = [name for name in serang_app.api.__all__ if f"`{name}" not in document]
    assert undocumented == []
    releases = re.findall(r"^### (\d+\.\d+)", document, flags=re.MULTILINE)
    assert releases[0] == serang_app.api.CORE_API_RELEASE
    assert releases[0].split(".")[0] == str(serang_app.api.CORE_API_VERSION)
