"""What the stored objects may be: the largest size and the content types.

Storage does not know what it stores for; the domain that stores (uploads/purposes.py) says
what it needs, and the development storage's routes take exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ObjectLimits:
    max_bytes: int
    content_types: frozenset[str]
