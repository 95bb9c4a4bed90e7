"""Exceptions in log lines: where each was raised and its type, never its message.

structlog's format_exc_info writes Python's traceback text, which ends with the exception's
message, and messages quote values: asyncpg adds the server's DETAIL ("Key (phone)=(+62...)
already exists") and PostgreSQL names bad input ('invalid input syntax for type uuid: "..."').
Logs are kept longer and read more widely than the database, so only the frames (file, line,
function, source line), the type and, for database errors, the SQLSTATE code are written; the
request id on the line leads to the request to reproduce it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

CAUSE = "\nThe above exception was the cause of (or raised while handling) the following:\n\n"


def exception_without_message(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor taking the place of format_exc_info."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    error = exc_info if isinstance(exc_info, BaseException) else exc_info[1] if isinstance(exc_info, tuple) else None
    if error is not None:
        event_dict["exception"] = CAUSE.join(_describe(each) for each in reversed(_chain(error)))
    return event_dict


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or while handling, newest first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain


def _describe(error: BaseException) -> str:
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    code = getattr(error, "sqlstate", None)
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"Traceback (most recent call last):\n{frames}{name}{f' (SQLSTATE {code})' if code else ''}\n"
