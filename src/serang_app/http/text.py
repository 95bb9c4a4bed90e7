"""The app's rules for text: what request bodies and query strings may hold, the one Unicode
normalization, and what the XML and PDF writers do with text stored before these rules.

Every free-text field of a request names one of three patterns (docs/architecture.md, "Text"):
- `MULTILINE_TEXT`: descriptions, notes, comments, announcement bodies. Line breaks and tab allowed.
- `PLAIN_TEXT`: one line (titles, addresses, filters, e-mail addresses), at least one character.
- `DISPLAY_NAME`: a name shown to others (residents, staff, agencies, places, walk-ins): one line,
  no invisible direction marks, at least one visible character.
A field outside the rule answers 422 naming it, and client generators see the same rule in the
OpenAPI document. The patterns are single character classes with \\uXXXX escapes, which Python's
re (msgspec), ECMAScript, Java and Dart read alike, and which never backtrack.

Unpaired surrogates never reach a pattern: the JSON decoder refuses a body holding one (400), and
PostgreSQL cannot store one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Never in any text:
# - C0 controls but tab, line feed and carriage return; DEL and the C1 controls. PostgreSQL cannot
#   store NUL, and XML 1.0 cannot hold the other C0 controls (one would break the Open311 feed).
# - The bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): one
#   reorders the text around it on every screen that shows it (a name that reverses the sentence
#   quoting it); Indonesian text, Arabic script included, needs none of them.
# - U+FFFE and U+FFFF, which are not characters (XML 1.0 refuses them).
_NEVER = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF"
# Line breaks (and tab): only in texts of several lines.
_BREAKS = r"\u0009\u000A\u000D\u2028\u2029"
# Invisible direction marks: a name needs none, and with one, two names that look alike differ.
_MARKS = r"\u061C\u200E\u200F"

MULTILINE_TEXT = rf"^[^{_NEVER}]*$"
PLAIN_TEXT = rf"^[^{_NEVER}{_BREAKS}]+$"
_NAME = _NEVER + _BREAKS + _MARKS
# Spaces, then a visible character, then anything allowed: the two first classes do not overlap,
# so the pattern stays linear however long the text.
DISPLAY_NAME = rf"^[^\S{_NAME}]*[^\s{_NAME}][^{_NAME}]*$"

# What a writer replaces in text stored before these rules (or by something other than the API).
# Also the unpaired surrogates a Python string can hold and no encoder writes. Line breaks stay
# where the output has lines (XML text, a PDF's paragraph).
_UNWRITABLE = re.compile(rf"[{_NEVER}\uD800-\uDFFF]")
_UNWRITABLE_ON_ONE_LINE = re.compile(rf"[{_NEVER}{_BREAKS}\uD800-\uDFFF]")
REPLACEMENT = "\ufffd"


def writable(text: str, *, one_line: bool = False) -> str:
    """`text` with every character no text rule admits replaced by U+FFFD, for the XML and PDF
    writers: whatever the database holds, the document stays well-formed and shows where a
    character was."""
    pattern = _UNWRITABLE_ON_ONE_LINE if one_line else _UNWRITABLE
    return pattern.sub(REPLACEMENT, text)


def normalized_in_place(value: Any) -> Any:
    """Every string in a decoded JSON document (values, not keys) in Unicode NFC, changing the
    document's lists and objects in place; a bare string comes back normalized.

    NFC, not NFKC: NFC only joins what Unicode says is the same text written two ways (`e` and a
    combining acute, or `é`), so what a resident typed is shown and printed as typed, while NFKC
    would also rewrite compatibility characters (`ﬁ`, `²`, full-width letters) and change how a
    name looks. Identifiers compared for equality (e-mail addresses) get their own stricter form.
    This runs once per request body (http/strict_body.py), before the body is checked, so the
    patterns and the handler see the same text.
    """
    if isinstance(value, str):
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = normalized_in_place(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            value[key] = normalized_in_place(item)
    return value


# What people type when a form wants a name and they have none to give: a placeholder, not a name.
_PLACEHOLDER_NAMES = frozenset({"na", "n/a", "nn", "none", "null", "nama", "name", "tidak ada", "belum ada", "anonim"})


def is_real_name(text: str | None) -> bool:
    """Whether `text` can stand as a person's name on a document: it holds at least one letter (in
    any script: `Ṣāliḥ` and Arabic names are names; `-`, `...` and `123` are not) and is not a
    placeholder such as `N/A` or `tidak ada`. Beyond DISPLAY_NAME, which only asks for a visible
    character: a permit printed to `-` names nobody."""
    if text is None:
        return False
    stripped = " ".join(text.split())
    if not any(unicodedata.category(character).startswith("L") for character in stripped):
        return False
    return stripped.casefold() not in _PLACEHOLDER_NAMES
