"""Staff search over the inbox (`GET /v1/staff/cases?q=`, docs/cases.md "Search").

`q` narrows the inbox like any other filter, so the caller's agency, every filter and the keyset
order by due time stay as they are. A case matches when any of these holds:
- its reference is `q` (`ADU-2612-000001`, any letter case, any module's prefix), whatever its words;
- its reference holds `q` when `q` looks like part of one (`2612-000001`, `ADU-2612-0000`):
  the trigram index on `cases.reference` answers the `LIKE`;
- its words (case_search, given by its module) match `q` as a web search in Indonesian
  (`websearch_to_tsquery('indonesian', q)`: stemmed, so `lubang` finds `berlubang`; `"..."` a
  phrase, `-word` excludes, `or`); malformed syntax (an unbalanced quote) is read leniently, never
  an error; a query that only excludes finds nothing by words;
- its resident's name is like `q` (pg_trgm's word similarity, `q <% name`, so `Nurhalisa` finds
  `Siti Nurhaliza`), unless its module asked that the resident not be found by name, or `q`
  looks like a reference or part of one (no name holds four digits in a row).

How, by the number of matches over every agency (counted first, up to MANY_MATCHES, from the
GIN indexes): few, and each kind of match is its own indexed subquery, joined as one set of case
ids the inbox takes as a filter; many (a common word or surname), and the inbox is walked in its
due order, each case tested by its primary key, so a page stops after its rows instead of after
building every match of every agency.
"""

from __future__ import annotations

import re
import unicodedata

import asyncpg

from serang_app.db.conditions import Conditions
from serang_app.http.problems import ApiError, LocalizedFieldError

MAX_QUERY_LENGTH = 200
# Names are matched from three characters: one or two letters would match most names.
MIN_NAME_LENGTH = 3
_REFERENCE = re.compile(r"[A-Z]{2,5}-[0-9]{4}-[0-9]{6}")
# Part of a reference: letters, digits and hyphens with at least four digits in a row, such as
# `2612-000001` or `000123`. Nothing LIKE treats specially (`%`, `_`, `\`) can pass.
_REFERENCE_PART = re.compile(r"[A-Z0-9-]*[0-9]{4}[A-Z0-9-]*")

# A query every match of which must hold some word (querytree is not 'T'): one only excluding
# (`-banjir`, `jalan or -banjir`) would read every row rather than the index, and finds nothing.
_WORDS_MATCH = (
    "s.words @@ websearch_to_tsquery('indonesian', ?) AND querytree(websearch_to_tsquery('indonesian', ?)) <> 'T'"
)
_NAME_MATCH = "? <% r.name"

# Few matches: each kind of match is its own indexed subquery, joined as one set of case ids the
# inbox takes as a filter (PostgreSQL cannot serve an OR across three tables' indexes in one scan).
_FEW = {
    "reference": "SELECT id FROM cases WHERE reference = ?",
    "reference_part": "SELECT id FROM cases WHERE reference LIKE ?",
    "words": f"SELECT s.case_id FROM case_search s WHERE {_WORDS_MATCH}",  # noqa: S608 (constants only)
    "name": f"""SELECT rc.id FROM residents r
JOIN cases rc ON rc.resident_id = r.id
JOIN case_search rs ON rs.case_id = rc.id AND rs.resident_findable
WHERE {_NAME_MATCH}""",  # noqa: S608 (constants only)
}
# Many matches: the inbox is walked in its due order and each case tested, so a page stops after
# its rows rather than after building every match of every agency. `c.id IS NOT NULL` (always
# true) keeps PostgreSQL from turning the EXISTS into a hashed subquery over every match, which
# it would otherwise prefer without knowing that the page stops early.
_MANY = {
    "reference": "c.reference = ?",
    "reference_part": "c.reference LIKE ?",
    "words": f"EXISTS (SELECT 1 FROM case_search s WHERE s.case_id = c.id AND c.id IS NOT NULL AND {_WORDS_MATCH})",  # noqa: S608
    "name": f"""EXISTS (SELECT 1 FROM residents r JOIN case_search rs ON rs.case_id = c.id AND rs.resident_findable
WHERE r.id = c.resident_id AND c.id IS NOT NULL AND {_NAME_MATCH})""",  # noqa: S608 (constants only)
}
# From this many matches (of the words and the name, over every agency) a search walks the inbox.
MANY_MATCHES = 2_000
# $1 the text, $2 the text for names or null, $3 MANY_MATCHES: matches counted up to the bound.
_COUNT = f"""
SELECT (SELECT count(*) FROM (SELECT 1 FROM case_search s WHERE
            s.words @@ websearch_to_tsquery('indonesian', $1) AND querytree(websearch_to_tsquery('indonesian', $1)) <> 'T'
            LIMIT $3) w)
     + (SELECT count(*) FROM ({_FEW["name"].replace("?", "$2")} LIMIT $3) n)
"""  # noqa: S608 (constants only)


def search_text(q: str) -> str:
    """`q` in NFC without surrounding spaces; 422 naming `q` when nothing is left. (The route's
    pattern and length have refused control characters and overlong text already.)"""
    text = unicodedata.normalize("NFC", q).strip()
    if not text:
        raise ApiError(
            422, errors=[LocalizedFieldError("q", "Kata pencarian tidak boleh kosong", "The search must not be empty")]
        )
    return text


async def add_search(connection: asyncpg.Connection, conditions: Conditions, text: str) -> None:
    """Narrow `conditions` (over `cases c`) to the cases `text` finds: by one set of matching case
    ids when there are few matches, else by testing each case of the inbox in its order."""
    reference = text.upper()
    looks_like_reference = _REFERENCE_PART.fullmatch(reference) is not None
    # A name holds no four digits in a row: a reference is not looked for among names, whose
    # trigram match over every resident is the dearest part of a search (docs/performance.md).
    name = text if len(text) >= MIN_NAME_LENGTH and not looks_like_reference else None
    parts: list[tuple[str, tuple[str, ...]]] = []
    if _REFERENCE.fullmatch(reference):
        parts.append(("reference", (reference,)))
    elif looks_like_reference:
        parts.append(("reference_part", (f"%{reference}%",)))
    parts.append(("words", (text, text)))
    if name is not None:
        parts.append(("name", (name,)))
    values = [value for _, part_values in parts for value in part_values]
    if await connection.fetchval(_COUNT, text, name, MANY_MATCHES) < MANY_MATCHES:
        union = " UNION ".join(_FEW[kind] for kind, _ in parts)
        conditions.add(f"c.id IN ({union})", *values)
    else:
        conditions.add(f"({' OR '.join(_MANY[kind] for kind, _ in parts)})", *values)
