"""Keyset pagination: one page of a growing list, and the cursor to the next.

A list is sorted by a key unique per row: its sort columns, the last an id that breaks ties
between equal sort values. A page asks PostgreSQL for the rows after the last key the previous
page showed (`WHERE (created_at, id) < ($n, $m)`), one more than it shows: that one only tells
whether another page follows. So a page costs the same however deep the client is, and rows
inserted meanwhile neither repeat nor shift pages. The limit is a parameter like every value.

A cursor (http/pagination.py: base64url JSON, opaque to clients) holds the list's name, the
resident it was handed to for a list of one resident's rows, and the last key shown. A cursor of
another list or another resident is refused with 422 naming `cursor` rather than read against
this list, whose key it does not describe.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

import asyncpg
import msgspec

from serang_app.db.conditions import Conditions
from serang_app.http.pagination import decode_cursor, encode_cursor, invalid_cursor

Key = TypeVar("Key", bound=tuple[Any, ...])


class PageRows(NamedTuple):
    rows: list[asyncpg.Record]  # the page's rows, at most the limit
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True, slots=True)
class Keyset(Generic[Key]):
    """How one list is sorted and paged, declared once beside its query.

    `columns`: the key as SQL, the last one unique (`("c.created_at", "c.id")`); `key_type`: the
    key's Python type, read back from cursors (`tuple[datetime, uuid.UUID]`); `fields`: where a
    result row holds each column's value (by default each column's name without its table);
    `cursor_values`: the cursor's side of the comparison when the columns wrap their values
    (`coalesce(?::timestamptz, 'infinity'), ?`), one `?` per column.
    """

    name: str
    columns: tuple[str, ...]
    key_type: type[Key]
    descending: bool = True
    fields: tuple[str, ...] = ()
    cursor_values: str | None = None

    def page(self, limit: int, cursor: str | None, *, owner: uuid.UUID | None = None) -> KeysetPage[Key]:
        """The page `cursor` points to (the first when None) of at most `limit` rows. `owner`: the
        resident whose own rows the list shows, so that another resident's cursor is refused."""
        return KeysetPage(self, limit, self._position(cursor, owner), owner)

    def _position(self, cursor: str | None, owner: uuid.UUID | None) -> Key | None:
        if not cursor:
            return None
        name, made_for, key = decode_cursor(cursor, tuple[str, uuid.UUID | None, msgspec.Raw])
        if name != self.name or made_for != owner:
            raise invalid_cursor()
        try:
            position: Key = msgspec.json.decode(key, type=self.key_type)
        except msgspec.DecodeError:
            raise invalid_cursor() from None
        return position


@dataclass(frozen=True, slots=True)
class KeysetPage(Generic[Key]):
    keyset: Keyset[Key]
    limit: int
    after: Key | None  # the last key the previous page showed; None for the first page
    owner: uuid.UUID | None

    @property
    def fetch_limit(self) -> int:
        """The rows to ask for: one more than shown tells whether another page follows."""
        return self.limit + 1

    async def fetch(
        self, connection: asyncpg.Connection, select_from: str, conditions: Conditions | None = None
    ) -> PageRows:
        """`select_from` (`SELECT ... FROM ...`, no WHERE) with `conditions`, this page's
        position, the list's order and the limit; the page's rows and the next cursor."""
        sql, values = self.query(select_from, conditions or Conditions())
        return self.split(await connection.fetch(sql, *values))

    def query(self, select_from: str, conditions: Conditions) -> tuple[str, list[object]]:
        """The SQL `fetch` runs, and its values (`conditions` itself is left as it was)."""
        keyset = self.keyset
        conditions = conditions.copy()
        if self.after is not None:
            values = keyset.cursor_values or ", ".join("?" for _ in keyset.columns)
            comparison = "<" if keyset.descending else ">"
            conditions.add(f"({', '.join(keyset.columns)}) {comparison} ({values})", *self.after)
        direction = " DESC" if keyset.descending else ""
        order_by = ", ".join(column + direction for column in keyset.columns)
        limit = conditions.parameter(self.fetch_limit)
        return f"{select_from} {conditions.where()} ORDER BY {order_by} LIMIT {limit}", conditions.values

    def split(self, rows: Sequence[asyncpg.Record]) -> PageRows:
        """The rows this page shows of the `fetch_limit` asked for, and the cursor after the last
        of them when more follow (for a query the list runs itself, such as a fixed first page)."""
        shown = list(rows[: self.limit])
        if len(rows) <= self.limit:
            return PageRows(shown, None)
        last = shown[-1]
        fields = self.keyset.fields or tuple(column.rpartition(".")[2] for column in self.keyset.columns)
        key = [last[field] for field in fields]
        return PageRows(shown, encode_cursor([self.keyset.name, self.owner, key]))
