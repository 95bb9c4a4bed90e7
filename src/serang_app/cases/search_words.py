"""The words staff search a case by (docs/cases.md, "Search"): what a module gives the core.

A module calls `index_case_words` in the transaction that writes or changes the words (filing a
complaint, submitting an application, changing its answers), so the search never finds words a
rolled-back change wrote, nor misses those a committed one did. The core never reads a module's
tables: the words arrive here already chosen, and are kept only as a stemmed `tsvector` (the
`indonesian` configuration), never as text a reader could show.

Cases opened before a module indexed its words are filled in by `index_missing_words`, which the
module's worker task runs (module_system/search_backfill.py) with a reader of its own rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from serang_app.db.pool import Database

# A tsvector holds at most 1 MB; no module's words come near, and a bound keeps any one case
# from costing more than its share.
MAX_WORDS_CHARACTERS = 100_000
BATCH_SIZE = 500

# The case, its words and resident_findable as the parameters numbered from {first}.
_UPSERT_FROM = """
INSERT INTO case_search (case_id, words, resident_findable)
VALUES (${first}, to_tsvector('indonesian', ${second}), ${third})
ON CONFLICT (case_id) DO UPDATE
SET words = EXCLUDED.words, resident_findable = EXCLUDED.resident_findable, indexed_at = now()
"""
_UPSERT = _UPSERT_FROM.format(first=1, second=2, third=3)


def case_words_upsert(first: int) -> str:
    """The words' upsert with the case, its words (words_text) and resident_findable as the
    parameters numbered from `first`: for a statement that writes them with others."""
    return _UPSERT_FROM.format(first=first, second=first + 1, third=first + 2)


_WITHOUT_WORDS = """
SELECT c.id FROM cases c
WHERE c.module = $1 AND NOT EXISTS (SELECT 1 FROM case_search s WHERE s.case_id = c.id)
ORDER BY c.created_at, c.id
LIMIT $2
"""


@dataclass(frozen=True, slots=True)
class CaseWords:
    """What staff find one case by: texts the resident wrote, and whether their name finds it."""

    words: tuple[str, ...]
    resident_findable: bool = True


# Reads the words of the module's cases by id (those it has rows for), on the given connection.
WordsReader = Callable[[asyncpg.Connection, list[uuid.UUID]], Awaitable[Mapping[uuid.UUID, CaseWords]]]


async def index_case_words(
    connection: asyncpg.Connection, case_id: uuid.UUID, words: Iterable[str], *, resident_findable: bool = True
) -> None:
    """Make `words` (texts the resident wrote: a description, an address, answers) what staff find
    the case by, replacing what was there. `resident_findable=False` keeps the case from being
    found by its resident's name (a complaint filed anonymously). In the caller's transaction."""
    await connection.execute(_UPSERT, case_id, words_text(words), resident_findable)


async def write_with_case_words(
    connection: asyncpg.Connection,
    statement: str,
    args: Sequence[Any],
    case_id: uuid.UUID,
    words: Iterable[str],
    *,
    resident_findable: bool = True,
) -> None:
    """Run the module's own write `statement` (an INSERT, UPDATE or DELETE with `args` as $1..$n)
    and `index_case_words` in one round trip: a filing holds its reference number's lock until
    the commit, and each round trip under it holds up every other filing (docs/performance.md,
    "The write paths"). In the caller's transaction."""
    upsert = case_words_upsert(len(args) + 1)
    # A data-modifying statement in WITH runs once and to completion whether or not it is read.
    await connection.execute(
        f"WITH module_write AS ({statement}) {upsert}", *args, case_id, words_text(words), resident_findable
    )


def words_text(words: Iterable[str]) -> str:
    """The words as the one text their tsvector is made of, bounded."""
    return "\n".join(word for word in words if word)[:MAX_WORDS_CHARACTERS]


async def index_missing_words(database: Database, module: str, read: WordsReader, *, batches: int) -> tuple[int, bool]:
    """Index up to `batches` batches of the module's cases that have no words yet, oldest first:
    how many, and whether none is left. A case `read` has nothing for gets an empty row (found by
    its reference only), so it is not listed again."""
    indexed = 0
    for _ in range(batches):
        async with database.acquire() as connection, connection.transaction():
            missing = [row["id"] for row in await connection.fetch(_WITHOUT_WORDS, module, BATCH_SIZE)]
            found = await read(connection, missing)
            for case_id in missing:
                words = found.get(case_id, CaseWords(words=(), resident_findable=False))
                await index_case_words(connection, case_id, words.words, resident_findable=words.resident_findable)
        indexed += len(missing)
        if len(missing) < BATCH_SIZE:
            return indexed, True
    return indexed, False
