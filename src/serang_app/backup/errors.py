"""The one error the backup commands raise: its message is the whole line the operator reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why, without secrets."""


@contextmanager
def file_errors() -> Iterator[None]:
    """A folder that cannot be read or written (permissions, a full disk) as one line."""
    try:
        yield
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise BackupError(f"{where}{error.strerror or error}") from None
