"""Partial updates (PATCH): the fields a request sent, and the UPDATE that sets just those.

Column names come from the change Struct's field names, never from the request's keys: a body
with an unknown key is refused by msgspec before it gets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec


def sent_fields(changes: msgspec.Struct, *, strip: bool = False) -> dict[str, Any]:
    """The fields present in the request (not UNSET), as plain values; `strip` trims strings."""
    return {
        name: value.strip() if strip and isinstance(value, str) else msgspec.to_builtins(value)
        for name, value in msgspec.structs.asdict(changes).items()
        if value is not msgspec.UNSET
    }


async def update_row(
    connection: asyncpg.Connection,
    table: str,
    key_column: str,
    key: object,
    changed: Mapping[str, Any],
    returning: str,
    *,
    extra: str = "",
) -> asyncpg.Record | None:
    """UPDATE `table` SET the changed columns (and `extra`, a constant assignment such as
    `updated_at = now()`) WHERE `key_column` = key RETURNING `returning`; None when no row has it.
    With nothing to change the row is still read back, so the caller answers it as it is."""
    assignments = [f"{name} = ${position}" for position, name in enumerate(changed, start=2)]
    if extra:
        assignments.append(extra)
    return await connection.fetchrow(
        f"UPDATE {table} SET {', '.join(assignments) or f'{key_column} = {key_column}'} "  # noqa: S608 (constant names)
        f"WHERE {key_column} = $1 RETURNING {returning}",
        key,
        *changed.values(),
    )


async def upsert_row(
    connection: asyncpg.Connection, table: str, keys: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Insert the row, or replace every column of `values` in the row `keys` names (a PUT of a
    whole definition). Column names come from the caller's Struct fields, never from a request."""
    columns = [*keys, *values]
    placeholders = ", ".join(f"${position}" for position in range(1, len(columns) + 1))
    replaced = ", ".join(f"{name} = excluded.{name}" for name in values)
    await connection.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "  # noqa: S608 (constant names)
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {replaced}",
        *keys.values(),
        *values.values(),
    )
