"""The tables and views one SQL text names, read by PostgreSQL's own parser (pglast).

The data contract's checks (module_sql.py) use it on a module's queries and migrations: a name
is where a statement reads or writes (FROM, JOIN, INSERT INTO, UPDATE, DELETE, LOCK ...), or the
table a foreign key REFERENCES, which the migration rules treat apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError


@dataclass(frozen=True, slots=True)
class NamedRelation:
    schema: str | None  # None when the name is not qualified
    name: str
    # Only the target of a foreign key's REFERENCES: the statement neither reads nor writes it.
    referenced_only: bool

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def named_relations(sql: str) -> list[NamedRelation] | None:
    """Every table or view the SQL names outside its own WITH queries; None when it is not SQL."""
    try:
        statements = parse_sql(sql)
    except ParseError:
        return None
    found: list[NamedRelation] = []
    for statement in statements:
        with_names = {node.ctename for node in _nodes(statement.stmt) if isinstance(node, ast.CommonTableExpr)}
        foreign_targets = {
            id(node.pktable) for node in _nodes(statement.stmt) if isinstance(node, ast.Constraint) and node.pktable
        }
        # FOR UPDATE OF r names an alias of the FROM list, not a table.
        aliases = {
            id(relation)
            for node in _nodes(statement.stmt)
            if isinstance(node, ast.LockingClause)
            for relation in node.lockedRels or ()
        }
        for node in _nodes(statement.stmt):
            if not isinstance(node, ast.RangeVar) or id(node) in aliases:
                continue
            if node.schemaname is None and node.relname in with_names:
                continue
            found.append(NamedRelation(node.schemaname, str(node.relname), id(node) in foreign_targets))
    return found


def _nodes(node: Any) -> Iterator[Any]:
    """The node and every node below it."""
    if isinstance(node, ast.Node):
        yield node
        for attribute in node:
            yield from _nodes(getattr(node, attribute))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _nodes(item)
