"""The data contract's checks of a module's SQL (docs/core-api.md, "The data contract").

A module reads core data through the read-only views of the schema `core` and changes it only
through `serang_app.api` calls; its own tables are in its schema. Two checks hold it to that,
run when modules are validated at start-up and by the contract kit:

- its Python code: every string literal (and f-string, its {fields} read as a name) that
  PostgreSQL parses as SQL may name only `{slug}.table` and `core.view` (and its own WITH names);
- its migrations (which run with search_path `{slug}, core`): a table of `public` may appear only
  as the target of a foreign key, and only one of `REFERENCEABLE_CORE_TABLES`.

The Python code is every file of the package the module's entry point names (the built-in
`serang_app.modules.complaints`, a vendor's `serang_wells`): discovery checks it when it loads the
module, and the contract kit in the module's tests. Migrations are checked with the declaration.
"""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Iterator
from pathlib import Path

from serang_app.db.migrations import CORE_CONTRACT_SCHEMA as CORE_SCHEMA
from serang_app.module_system.sql_names import NamedRelation, named_relations

# The core tables whose keys never change and whose rows are never deleted: a module's table may
# keep a foreign key to them. Nothing else of `public` may appear in a module's migration.
REFERENCEABLE_CORE_TABLES = frozenset({"cases", "residents", "opds", "regions", "staff", "uploads"})
# Only strings starting with one of these words are read as SQL; one that then does not parse (a
# docstring starting "Update the ...") is skipped.
_SQL_WORDS = ("select", "insert", "update", "delete", "with", "merge", "lock", "table", "truncate", "copy")
# An f-string's {field} becomes this name, which parses wherever a column or table name may stand.
_FIELD = "x"


def package_files(name: str) -> list[Path]:
    """The Python files of the package an entry point loads from (every one, in every subfolder):
    the package itself, or the package of a module inside one (`serang_wells.module:spec`), or
    the one file of a top-level module."""
    module = importlib.import_module(name)
    if not hasattr(module, "__path__") and "." in name:
        module = importlib.import_module(name.rpartition(".")[0])
    folders = [Path(folder) for folder in getattr(module, "__path__", ())]
    if not folders:
        return [Path(module.__file__)] if module.__file__ else []
    return sorted(path for folder in folders for path in folder.rglob("*.py"))


def code_problems(spec_slug: str, files: list[Path]) -> list[str]:
    """Each SQL statement in the files that names a table outside `{slug}` and `core`."""
    problems = []
    for path in files:
        for line, relation in _relations_in(path):
            if relation.schema not in (spec_slug, CORE_SCHEMA):
                problems.append(f"{_shown(path)}:{line}: {_code_reason(relation, spec_slug)}")
    return problems


# Source files do not change while the process runs, and every app built (each web process, each
# test's app) validates its modules again: each file is read and parsed once.
@functools.cache
def _relations_in(path: Path) -> tuple[tuple[int, NamedRelation], ...]:
    return tuple((line, relation) for line, sql in _sql_strings(path) for relation in named_relations(sql) or ())


def migration_problems(spec_slug: str, folder: Path) -> list[str]:
    """Each statement of the module's migrations that names a core table other than in REFERENCES."""
    problems = []
    for path in sorted(folder.glob("*.sql")):
        for relation in _relations_of_migration(path):
            if relation.schema in (None, spec_slug, CORE_SCHEMA):
                continue  # unqualified names resolve to the module's schema or the core's views
            if relation.schema == "public" and relation.referenced_only and relation.name in REFERENCEABLE_CORE_TABLES:
                continue
            problems.append(f"migration {path.name}: {_migration_reason(relation)}")
    return problems


@functools.cache
def _relations_of_migration(path: Path) -> tuple[NamedRelation, ...]:
    return tuple(named_relations(path.read_text(encoding="utf-8")) or ())


def _sql_strings(path: Path) -> Iterator[tuple[int, str]]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings:
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else _FIELD
                for part in node.values
            )
        else:
            continue
        if text.lstrip(" \t\n\r(").lower().startswith(_SQL_WORDS):
            yield node.lineno, text


def _code_reason(relation: NamedRelation, slug: str) -> str:
    if relation.schema is None:
        return (
            f"names {relation.name!r} without a schema, which at run time means the core's public.{relation.name}: "
            f"write {slug}.{relation.name} for the module's own table, and read core data through the views "
            f"of schema core (docs/core-api.md, 'The data contract')"
        )
    if relation.schema == "public":
        return (
            f"names the core table public.{relation.name}: read core data through the views of schema "
            f"core and change it through serang_app.api (docs/core-api.md, 'The data contract')"
        )
    return f"names {relation.qualified}, outside the module's schema {slug!r} and the core's views (schema core)"


def _migration_reason(relation: NamedRelation) -> str:
    allowed = ", ".join(f"public.{name}" for name in sorted(REFERENCEABLE_CORE_TABLES))
    if relation.schema == "public":
        return (
            f"names the core table public.{relation.name}; a module's migration may name only {allowed}, and only "
            f"in a foreign key's REFERENCES: read core data through the views of schema core"
        )
    return f"names {relation.qualified}, outside the module's own schema and the core's views (schema core)"


def _shown(path: Path) -> str:
    # The file from its top-level package on (serang_app/modules/complaints/filing.py), not the disk.
    parts = path.parts
    for index in range(len(parts) - 1, 0, -1):
        if not (Path(*parts[:index]) / "__init__.py").is_file():
            return str(Path(*parts[index:]))
    return str(path)
