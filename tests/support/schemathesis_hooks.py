"""Loaded by schemathesis in the contract test (SCHEMATHESIS_HOOKS).

Schemathesis draws Idempotency-Key values from a small space ("0", "00", ...) and so sends the
same key with many different requests. The API answers those, correctly, with 422
`idempotency_key_reused`, which schemathesis then reads as the server refusing valid input.
A real client makes a new key for each new request: so does this hook, for every key that is
valid (a malformed one is left as it is, since refusing it is what a negative case tests).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis
from schemathesis.generation.meta import CoverageScenario

_KEY_HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fuzzing and stateful phases."""
    return _fresh_key(headers) if headers else headers


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    """The coverage phase, which does not pass through map_headers. Its cases that test a missing
    header are left untouched: schemathesis sends those with their headers exactly as drawn."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    if getattr(data, "scenario", None) == CoverageScenario.MISSING_PARAMETER:
        return
    if case.headers:
        case.headers = _fresh_key(case.headers)


def _fresh_key(headers: dict[str, Any]) -> dict[str, Any]:
    key = headers.get(_KEY_HEADER)
    if isinstance(key, str) and _VALID_KEY.match(key):
        return {**headers, _KEY_HEADER: uuid.uuid4().hex}
    return headers
