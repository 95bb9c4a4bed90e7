"""WHERE clauses built from optional filters, with every value passed as a query parameter.

The one builder of dynamic SQL in the core: each filter present adds its condition, so
PostgreSQL plans each shape of a query for what it is (a generic plan over optional
`$n IS NULL OR ...` filters cannot use an index well), and no value is ever formatted into SQL.
"""

from __future__ import annotations


class Conditions:
    """SQL conditions joined by AND. Each names its values `?`; they become $1, $2, ... in order.

    `?` rather than `{}`: a condition may hold braces (an array literal `'{}'`), and a `?` the
    SQL needs for itself (jsonb's `?` operator) is caught at once, as one placeholder too many.
    """

    def __init__(self) -> None:
        self.values: list[object] = []
        self._sql: list[str] = []

    def add(self, sql: str, *values: object) -> None:
        first, *rest = sql.split("?")
        if len(rest) != len(values):
            raise ValueError(f"{sql!r} has {len(rest)} placeholders for {len(values)} values")
        parts = [first]
        for value, text in zip(values, rest, strict=True):
            parts.append(f"{self.parameter(value)}{text}")
        self._sql.append("".join(parts))

    def parameter(self, value: object) -> str:
        """Pass `value` as the next parameter and return its `$n`, for a value outside the WHERE
        clause that follows it (a LIMIT)."""
        self.values.append(value)
        return f"${len(self.values)}"

    def copy(self) -> Conditions:
        copied = Conditions()
        copied.values = list(self.values)
        copied._sql = list(self._sql)
        return copied

    def where(self) -> str:
        return f"WHERE {' AND '.join(self._sql)}" if self._sql else ""
