"""WHERE clauses built from optional filters, with every value passed as a query parameter."""

from __future__ import annotations


class Conditions:
    """SQL conditions joined by AND. Each names its values `?`; they become $1, $2, ... in order."""

    def __init__(self) -> None:
        self.values: list[object] = []
        self._sql: list[str] = []

    def add(self, sql: str, *values: object) -> None:
        first, *rest = sql.split("?")
        if len(rest) != len(values):
            raise ValueError(f"{sql!r} has {len(rest)} placeholders for {len(values)} values")
        parts = [first]
        for value, text in zip(values, rest, strict=True):
            self.values.append(value)
            parts.append(f"${len(self.values)}{text}")
        self._sql.append("".join(parts))

    def where(self) -> str:
        return f"WHERE {' AND '.join(self._sql)}" if self._sql else ""
