"""Staff e-mail addresses in one canonical form, for storage, look-up, lock-out and uniqueness.

Every path that takes an address (sign-in, the admin API, `serang-app create-admin`, the demo
accounts) goes through `canonical_email` and nothing else, so the address that is counted for a
lock-out is byte for byte the one that is looked up and the one that is unique in `staff`.

The form is Unicode's NFKC_Casefold in spirit: NFKC (full-width letters, the Kelvin sign and other
compatibility look-alikes become their plain letters), then casefold (which also folds the long s and
`ß`, unlike `lower()`), NFKC again (casefolding can undo normalization), then surrounding
whitespace trimmed.

Staff accounts must be ASCII in that form (`is_staff_address`). Some characters casefold to a
different address rather than a different spelling of the same one: `İ` (U+0130) becomes `i`
plus a combining dot, which PostgreSQL's `lower()` turned into a plain `i`, and that gap was
the lock-out bypass of issue 18. Government addresses are ASCII, so rather than guess which
marks are meaningful, such addresses are refused for new accounts (422) and can match no account
at sign-in (401, counted under their own form like any unknown address). The table's CHECK
constraint (migrations/0016_staff_canonical_email.sql) holds every row to the same rule.
"""

from __future__ import annotations

import re
import unicodedata

# No spaces or control characters anywhere (PostgreSQL text cannot even store a NUL). Checked on
# what clients send (the schema) and again on the canonical form, which NFKC may have changed
# (a full-width at sign becomes `@`).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,255}\.[^@\s\x00-\x1f\x7f]{2,63}$"
_EMAIL = re.compile(EMAIL_PATTERN)


def canonical_email(address: str) -> str:
    """The one form an e-mail address is stored, looked up and counted in."""
    folded = unicodedata.normalize("NFKC", address).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def is_staff_address(canonical: str) -> bool:
    """Whether a canonical address may belong to a staff account: a well-formed address, ASCII only."""
    # fullmatch: re's `$` would let a final newline through.
    return canonical.isascii() and _EMAIL.fullmatch(canonical) is not None
