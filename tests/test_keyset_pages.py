"""The keyset-page helper (db/keyset.py) every growing list pages with, against a real table."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset
from serang_app.http.pagination import encode_cursor
from serang_app.http.problems import ApiError

_SELECT = "SELECT id, owner_id, created_at, due_at FROM things"
_NEWEST_FIRST = Keyset("things", ("created_at", "id"), tuple[datetime, uuid.UUID])
_OTHER_LIST = Keyset("other-things", ("created_at", "id"), tuple[datetime, uuid.UUID])
# Ascending, rows without a due time last: the shape of the agencies' case inbox.
_BY_DUE_TIME = Keyset(
    "things-by-due-time",
    ("coalesce(due_at, 'infinity')", "id"),
    tuple[datetime | None, uuid.UUID],
    descending=False,
    fields=("due_at", "id"),
    cursor_values="coalesce(?::timestamptz, 'infinity'), ?",
)
NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
async def connection(empty_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(empty_database)
    await connection.execute(
        """CREATE TABLE things (
               id uuid PRIMARY KEY, owner_id uuid NOT NULL, created_at timestamptz NOT NULL, due_at timestamptz
           )"""
    )
    try:
        yield connection
    finally:
        await connection.close()


async def _insert(
    connection: asyncpg.Connection,
    created_at: datetime,
    *,
    owner: uuid.UUID | None = None,
    due_at: datetime | None = None,
) -> uuid.UUID:
    thing_id = uuid.uuid4()
    await connection.execute(
        "INSERT INTO things (id, owner_id, created_at, due_at) VALUES ($1, $2, $3, $4)",
        thing_id,
        owner or uuid.uuid4(),
        created_at,
        due_at,
    )
    return thing_id


async def _all_pages(connection: asyncpg.Connection, keyset: Keyset[Any], limit: int) -> list[list[uuid.UUID]]:
    pages: list[list[uuid.UUID]] = []
    cursor = None
    while True:
        rows, cursor = await keyset.page(limit, cursor).fetch(connection, _SELECT)
        pages.append([row["id"] for row in rows])
        if cursor is None:
            return pages


async def test_a_page_boundary_inside_equal_sort_keys_neither_skips_nor_repeats(connection: asyncpg.Connection) -> None:
    tied = [await _insert(connection, NOON) for _ in range(3)]
    older = [await _insert(connection, NOON - timedelta(hours=hours)) for hours in (1, 2)]
    # Newest first, ties by id descending: the first page ends between two rows of the same time.
    expected = sorted(tied, reverse=True) + older

    pages = await _all_pages(connection, _NEWEST_FIRST, 2)

    assert pages == [expected[0:2], expected[2:4], expected[4:5]]


async def test_the_last_page_has_no_cursor_even_when_it_is_full(connection: asyncpg.Connection) -> None:
    for hours in range(4):
        await _insert(connection, NOON - timedelta(hours=hours))

    pages = await _all_pages(connection, _NEWEST_FIRST, 2)

    # Four rows in pages of two: the second page is the last, with no empty page after it.
    assert [len(page) for page in pages] == [2, 2]
    everything, cursor = await _NEWEST_FIRST.page(10, None).fetch(connection, _SELECT)
    assert len(everything) == 4
    assert cursor is None


async def test_conditions_and_the_cursor_are_parameters_and_so_is_the_limit(connection: asyncpg.Connection) -> None:
    owner = uuid.uuid4()
    mine = [await _insert(connection, NOON - timedelta(minutes=minutes), owner=owner) for minutes in range(3)]
    await _insert(connection, NOON + timedelta(minutes=1))  # someone else's, newer than all of them
    own = Conditions()
    own.add("owner_id = ?", owner)

    first, cursor = await _NEWEST_FIRST.page(2, None, owner=owner).fetch(connection, _SELECT, own)
    assert cursor is not None
    second_page = _NEWEST_FIRST.page(2, cursor, owner=owner)
    second, last_cursor = await second_page.fetch(connection, _SELECT, own)

    assert [row["id"] for row in first + second] == mine
    assert last_cursor is None
    sql, values = second_page.query(_SELECT, own)
    assert sql.endswith(
        "WHERE owner_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4"
    )
    assert values == [owner, NOON - timedelta(minutes=1), mine[1], 3]
    assert own.values == [owner]  # the caller's conditions are left as they were


async def test_an_ascending_key_with_nulls_last_pages_across_them(connection: asyncpg.Connection) -> None:
    soon = await _insert(connection, NOON, due_at=NOON + timedelta(days=1))
    later = await _insert(connection, NOON, due_at=NOON + timedelta(days=2))
    no_due_time = sorted([await _insert(connection, NOON) for _ in range(3)])

    pages = await _all_pages(connection, _BY_DUE_TIME, 2)

    assert pages == [[soon, later], no_due_time[0:2], no_due_time[2:3]]


def _refused(error: pytest.ExceptionInfo[ApiError]) -> list[str]:
    assert error.value.status_code == 422
    return [problem.field for problem in error.value.errors or []]


async def test_a_cursor_from_another_list_is_refused(connection: asyncpg.Connection) -> None:
    for hours in range(3):
        await _insert(connection, NOON - timedelta(hours=hours))
    _, cursor = await _OTHER_LIST.page(1, None).fetch(connection, _SELECT)
    assert cursor is not None

    with pytest.raises(ApiError) as refused:
        _NEWEST_FIRST.page(1, cursor)
    assert _refused(refused) == ["cursor"]
    # The same key shape read against the list it came from is fine.
    assert _OTHER_LIST.page(1, cursor).after is not None


async def test_a_cursor_of_another_owner_or_none_is_refused(connection: asyncpg.Connection) -> None:
    owner = uuid.uuid4()
    for hours in range(3):
        await _insert(connection, NOON - timedelta(hours=hours), owner=owner)
    own = Conditions()
    own.add("owner_id = ?", owner)
    _, cursor = await _NEWEST_FIRST.page(1, None, owner=owner).fetch(connection, _SELECT, own)
    assert cursor is not None

    for other in (uuid.uuid4(), None):
        with pytest.raises(ApiError) as refused:
            _NEWEST_FIRST.page(1, cursor, owner=other)
        assert _refused(refused) == ["cursor"]


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90IGEgY3Vyc29y",  # base64 of text that is not JSON
        encode_cursor(["things", None, ["yesterday", "not an id"]]),  # this list's name, a key of the wrong types
        encode_cursor([NOON, uuid.uuid4()]),  # the shape cursors had before lists were named in them
    ],
    # Named ids: a random value in an id makes pytest-xdist's processes collect different tests.
    ids=["not_json", "wrong_key_types", "unnamed_list"],
)
def test_a_cursor_this_api_did_not_hand_out_is_refused(cursor: str) -> None:
    with pytest.raises(ApiError) as refused:
        _NEWEST_FIRST.page(1, cursor)
    assert _refused(refused) == ["cursor"]
