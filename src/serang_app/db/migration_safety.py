"""Refuses a migration that would break the release still running while it is applied.

In a rolling upgrade the new release's migrations run while the old release still serves
(docs/deployment.md, "Upgrade"), so a migration may only add to the schema
("expand"): new tables, nullable columns or columns with a default, indexes. Taking away or
changing in place what the old code reads ("contract": dropping, renaming, retyping, making a
column required) ships in a later release, once no running code uses it, in a file with a line
``-- contract: <why no running release uses it any more>``.

The SQL is read by PostgreSQL's own parser (pglast), not by patterns. Statements inside DO blocks
and functions are not looked into.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pglast import ast, enums, parse_sql
from pglast.parser import ParseError

from serang_app.db.migrations import MigrationFile, MigrationSource, read_migrations

CONTRACT_MARKER = re.compile(r"^--[ \t]*contract:[ \t]*\S", re.MULTILINE)

_ALTER_TABLE = enums.AlterTableType
_OBJECT = enums.ObjectType
# Objects the running code may name: dropping or renaming one breaks it.
_USED_BY_CODE = {
    _OBJECT.OBJECT_TABLE: "table",
    _OBJECT.OBJECT_VIEW: "view",
    _OBJECT.OBJECT_MATVIEW: "materialized view",
    _OBJECT.OBJECT_COLUMN: "column",
    _OBJECT.OBJECT_SEQUENCE: "sequence",
    _OBJECT.OBJECT_TYPE: "type",
    _OBJECT.OBJECT_DOMAIN: "domain",
    _OBJECT.OBJECT_FUNCTION: "function",
    _OBJECT.OBJECT_PROCEDURE: "procedure",
    _OBJECT.OBJECT_SCHEMA: "schema",
}


@dataclass(frozen=True, slots=True)
class UnsafeStatement:
    label: str
    line: int
    statement: str
    reason: str

    def __str__(self) -> str:
        if not self.statement:  # the file as a whole: it does not parse
            return f"{self.label}:{self.line}: {self.reason}"
        return f"{self.label}:{self.line}: {self.reason}, which the running release may still use: {self.statement}"


def check_sources(sources: Iterable[MigrationSource]) -> tuple[int, list[UnsafeStatement]]:
    """Every migration file of the sources checked: how many were read, and what they would break."""
    files = [migration for source in sources for migration in read_migrations(source)]
    found = [problem for migration in files for problem in check_migration(migration)]
    return len(files), found


def check_migration(migration: MigrationFile) -> list[UnsafeStatement]:
    if CONTRACT_MARKER.search(migration.sql):
        return []
    try:
        statements = parse_sql(migration.sql)
    except ParseError as error:
        return [UnsafeStatement(migration.label, 1, "", f"PostgreSQL cannot parse it ({error})")]
    new = _NewInThisFile(statement.stmt for statement in statements)
    problems = []
    for statement in statements:
        for reason in _breaking(statement.stmt, new):
            line, text = _locate(migration.sql, statement.stmt_location or 0, statement.stmt_len or 0)
            problems.append(UnsafeStatement(migration.label, line, text, reason))
    return problems


class _NewInThisFile:
    """Tables this file creates and column defaults it sets: nothing running can depend on the first,
    and the second lets the running code's INSERTs leave a newly required column out."""

    def __init__(self, statements: Iterable[Any]) -> None:
        self.tables: set[str] = set()
        self.defaults: set[tuple[str, str]] = set()
        for statement in statements:
            if isinstance(statement, ast.CreateStmt):
                self.tables.add(_table(statement))
            elif isinstance(statement, ast.CreateTableAsStmt):
                self.tables.add(_table(statement.into, "rel"))
            elif isinstance(statement, ast.AlterTableStmt):
                for command in statement.cmds or ():
                    if command.subtype == _ALTER_TABLE.AT_ColumnDefault and command.def_ is not None:
                        self.defaults.add((_table(statement), str(command.name)))


def _breaking(statement: Any, new: _NewInThisFile) -> list[str]:
    if isinstance(statement, ast.DropStmt):
        return _drop(statement, new)
    if isinstance(statement, ast.AlterTableStmt) and _table(statement) not in new.tables:
        table = _table(statement)
        return [reason for command in statement.cmds or () if (reason := _alter(table, command, new))]
    if isinstance(statement, ast.RenameStmt) and statement.renameType in _USED_BY_CODE:
        table = _table(statement)  # "" for a type, function or schema: never a new table
        if table not in new.tables:
            old = f"{table}.{statement.subname}" if statement.subname else (table or _name(statement.object))
            return [f"renames {_USED_BY_CODE[statement.renameType]} {old} to {statement.newname}"]
    if isinstance(statement, ast.AlterObjectSchemaStmt) and statement.objectType in _USED_BY_CODE:
        moved = _table(statement) or _name(statement.object)
        return [f"moves {_USED_BY_CODE[statement.objectType]} {moved} to schema {statement.newschema}"]
    if isinstance(statement, ast.AlterEnumStmt) and statement.oldVal is not None:
        return [f"renames the value {statement.oldVal!r} of type {_name(statement.typeName)}"]
    return []


def _drop(statement: Any, new: _NewInThisFile) -> list[str]:
    kind = _USED_BY_CODE.get(statement.removeType)
    if kind is None:  # indexes, triggers, constraints: the code does not name them
        return []
    names = [_name(target) for target in statement.objects]
    old = [name for name in names if name.rsplit(".", 1)[-1] not in new.tables]
    return [f"drops {kind} {', '.join(old)}"] if old else []


def _alter(table: str, command: Any, new: _NewInThisFile) -> str | None:
    column = f"{table}.{command.name}"
    if command.subtype == _ALTER_TABLE.AT_DropColumn:
        return f"drops column {column}"
    if command.subtype == _ALTER_TABLE.AT_AlterColumnType:
        return f"changes the type of column {column}"
    if command.subtype == _ALTER_TABLE.AT_SetNotNull and (table, command.name) not in new.defaults:
        return f"makes column {column} NOT NULL without a default"
    if command.subtype == _ALTER_TABLE.AT_AddColumn and _required_without_default(command.def_):
        return f"adds column {table}.{command.def_.colname} NOT NULL without a default"
    return None


def _required_without_default(column: Any) -> bool:
    kinds = {constraint.contype for constraint in column.constraints or ()}
    filled = {enums.ConstrType.CONSTR_DEFAULT, enums.ConstrType.CONSTR_IDENTITY, enums.ConstrType.CONSTR_GENERATED}
    return enums.ConstrType.CONSTR_NOTNULL in kinds and not kinds & filled


def _table(node: Any, attribute: str = "relation") -> str:
    """The table a statement names (its RangeVar), or "" when it names none."""
    relation = getattr(node, attribute, None)
    return str(relation.relname) if relation is not None else ""


def _name(node: Any) -> str:
    if isinstance(node, ast.ObjectWithArgs):
        return _name(node.objname)
    if isinstance(node, ast.TypeName):
        return _name(node.names)
    if isinstance(node, ast.String):
        return str(node.sval)
    if isinstance(node, Sequence) and not isinstance(node, str):
        return ".".join(_name(part) for part in node)
    return str(node)


def _locate(sql: str, location: int, length: int) -> tuple[int, str]:
    """The statement's first line number and its text on one line, comments before it left out."""
    # pglast counts characters, and a length of 0 means "to the end".
    lines = (sql[location : location + length] if length else sql[location:]).splitlines()
    skipped = 0
    while skipped < len(lines) and (not lines[skipped].strip() or lines[skipped].lstrip().startswith("--")):
        skipped += 1
    line = sql.count("\n", 0, location) + 1 + skipped
    statement = " ".join(" ".join(lines[skipped:]).split())
    return line, statement if len(statement) <= 120 else statement[:117] + "..."
