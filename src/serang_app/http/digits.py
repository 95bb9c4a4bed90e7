"""Numbers read from headers: ASCII digits only.

`str.isdigit()` is true for other scripts' digits and for superscripts (`²`), which `int()` then
refuses or reads differently, so a header such as `X-App-Version: 1.²` once raised deep inside a
request. Every number a client sends in a header (app versions, ETags) is read here instead.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_number(text: str, max_digits: int) -> int | None:
    """The value of `text` when it is 1 to `max_digits` ASCII digits, else None."""
    if len(text) > max_digits or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)
