"""A database that cannot be reached, or that refuses us, turned into one line an operator can act on."""

from __future__ import annotations

import errno
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg


class DatabaseUnavailableError(Exception):
    """PostgreSQL could not be reached or refused the connection; the message never holds the password."""


# What connecting raises: the network's errors (timeouts among them) and the server's refusals.
_CONNECTING_ERRORS = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidAuthorizationSpecificationError,  # unknown user, wrong password, pg_hba.conf
    asyncpg.InvalidCatalogNameError,  # no such database
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,  # the server is starting or stopping
)


@asynccontextmanager
async def connecting(dsn: str, connect_timeout: float | None = None) -> AsyncIterator[None]:
    """Wrap the connection attempt (only it: errors of later queries mean something else)."""
    try:
        yield
    except _CONNECTING_ERRORS as error:
        raise DatabaseUnavailableError(
            f"cannot connect to PostgreSQL at {_location(dsn)}: {_reason(error, connect_timeout)}"
        ) from None


def _location(dsn: str) -> str:
    parts = urlsplit(dsn)
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432  # asyncpg reports the malformed port itself
    return f"{parts.hostname or 'localhost'}:{port}/{parts.path.lstrip('/') or parts.username or ''}"


def _reason(error: Exception, timeout: float | None) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s" if timeout else "no answer in time"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, OSError):
        if error.errno == errno.ECONNREFUSED or "[Errno 111]" in str(error):
            # "[Errno 111]" stands alone when asyncio tried several addresses (localhost: ::1 and 127.0.0.1).
            return "connection refused (is PostgreSQL running, and listening there?)"
        return error.strerror or str(error)
    return str(error)
