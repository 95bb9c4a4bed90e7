"""The start-up problems an operator can fix, and the one line that names each."""

from __future__ import annotations

import re

from serang_app.backup.errors import BackupError
from serang_app.db.migrations import MigrationError
from serang_app.db.unavailable import DatabaseUnavailableError
from serang_app.module_system.discovery import ModuleError
from serang_app.regions.boundaries import BoundaryError
from serang_app.settings import SettingsError


class StartupError(Exception):
    """Any other start-up problem whose message already is the one line to print."""


# Each carries a message written for the operator; anything else is a bug, shown with its type.
OPERATOR_ERRORS: tuple[type[Exception], ...] = (
    SettingsError,
    ModuleError,
    MigrationError,
    DatabaseUnavailableError,
    StartupError,
    BackupError,
    BoundaryError,
)


def is_operator_error(error: BaseException) -> bool:
    return isinstance(_innermost(error), OPERATOR_ERRORS)


def one_line(error: BaseException) -> str:
    """The message of the error that stopped start-up, on one line."""
    cause = _innermost(error)
    text = str(cause) if isinstance(cause, OPERATOR_ERRORS) else f"{type(cause).__name__}: {cause}"
    # PostgreSQL's messages may hold a DETAIL or HINT on further lines.
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _innermost(error: BaseException) -> BaseException:
    # Litestar enters lifespan managers inside an anyio task group, which wraps what they raise.
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error
