"""Regular expressions for free text that arrives in request bodies and query strings.

PostgreSQL's text type cannot hold a NUL character, and other control characters in a name only
cause trouble later (on screens, in exports). Refusing them in the schema gives the client a 422
naming the field, instead of a database error, and tells client generators the rule.
"""

from __future__ import annotations

_PRINTABLE = r"[^\x00-\x1f\x7f]"
# Any text without control characters.
PLAIN_TEXT = rf"^{_PRINTABLE}+$"
# The same, with at least one visible character: a name cannot be blank.
DISPLAY_NAME = rf"^{_PRINTABLE}*[^\s\x00-\x1f\x7f]{_PRINTABLE}*$"
