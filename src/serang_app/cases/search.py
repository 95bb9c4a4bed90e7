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
  `Siti Nurhaliza`), unless its module asked that the resident not be found by name.

Each is its own indexed subquery (a GIN index each, the reference's unique index), joined as one
set of case ids: PostgreSQL cannot serve an OR across three tables' indexes in one scan.
"""

from __future__ import annotations

import re
import unicodedata

from serang_app.db.conditions import Conditions
from serang_app.http.problems import ApiError, LocalizedFieldError

MAX_QUERY_LENGTH = 200
# Names are matched from three characters: one or two letters would match most names.
MIN_NAME_LENGTH = 3
_REFERENCE = re.compile(r"[A-Z]{2,5}-[0-9]{4}-[0-9]{6}")
# Part of a reference: letters, digits and hyphens with at least four digits in a row, such as
# `2612-000001` or `000123`. Nothing LIKE treats specially (`%`, `_`, `\`) can pass.
_REFERENCE_PART = re.compile(r"[A-Z0-9-]*[0-9]{4}[A-Z0-9-]*")

_BY_REFERENCE = "SELECT id FROM cases WHERE reference = ?"
_BY_REFERENCE_PART = "SELECT id FROM cases WHERE reference LIKE ?"
# A query every match of which must hold some word (querytree is not 'T'): one only excluding
# (`-banjir`, `jalan or -banjir`) would read every row rather than the index, and finds nothing.
_BY_WORDS = """SELECT case_id FROM case_search
WHERE words @@ websearch_to_tsquery('indonesian', ?) AND querytree(websearch_to_tsquery('indonesian', ?)) <> 'T'"""
_BY_NAME = """SELECT rc.id FROM residents r
JOIN cases rc ON rc.resident_id = r.id
JOIN case_search rs ON rs.case_id = rc.id AND rs.resident_findable
WHERE ? <% r.name"""


def search_text(q: str) -> str:
    """`q` in NFC without surrounding spaces; 422 naming `q` when nothing is left. (The route's
    pattern and length have refused control characters and overlong text already.)"""
    text = unicodedata.normalize("NFC", q).strip()
    if not text:
        raise ApiError(
            422, errors=[LocalizedFieldError("q", "Kata pencarian tidak boleh kosong", "The search must not be empty")]
        )
    return text


def add_search(conditions: Conditions, text: str) -> None:
    """Narrow `conditions` (over `cases c`) to the cases `text` finds."""
    reference = text.upper()
    parts: list[tuple[str, tuple[str, ...]]] = []
    if _REFERENCE.fullmatch(reference):
        parts.append((_BY_REFERENCE, (reference,)))
    elif _REFERENCE_PART.fullmatch(reference):
        parts.append((_BY_REFERENCE_PART, (f"%{reference}%",)))
    parts.append((_BY_WORDS, (text, text)))
    if len(text) >= MIN_NAME_LENGTH:
        parts.append((_BY_NAME, (text,)))
    union = " UNION ".join(sql for sql, _ in parts)
    conditions.add(f"c.id IN ({union})", *(value for _, values in parts for value in values))
