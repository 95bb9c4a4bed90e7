"""An exception in a log line shows where it was raised and its type, not its message: database
errors quote the values at fault (a duplicate phone number, input of the wrong type)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

PHONE = "+6281366668888"

# A real constraint violation and a real cast error from PostgreSQL, each logged through
# structlog (as the app's code does) and through the standard library (as libraries do).
SCRIPT = """
import asyncio, logging, sys
import asyncpg, structlog
from serang_app.logs import configure_logging

async def fail(dsn, statement):
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CREATE TEMP TABLE phones (phone text UNIQUE)")
        await connection.execute("INSERT INTO phones VALUES ($1)", sys.argv[2])
        await connection.execute(statement, sys.argv[2])
    finally:
        await connection.close()

configure_logging("info", "json")
for statement in ("INSERT INTO phones VALUES ($1)", "SELECT $1::text::uuid"):
    try:
        asyncio.run(fail(sys.argv[1], statement))
    except asyncpg.PostgresError:
        structlog.get_logger("probe").exception("unhandled_error")
        logging.getLogger("library").exception("library_error")
"""


def test_logged_exceptions_keep_their_type_and_frames_but_not_the_values(database_url: str) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", SCRIPT, database_url, PHONE], capture_output=True, text=True, timeout=60, check=True
    )
    assert PHONE not in ran.stdout + ran.stderr
    assert PHONE.removeprefix("+") not in ran.stdout
    entries = [json.loads(line) for line in ran.stdout.splitlines()]
    assert [entry["event"] for entry in entries] == ["unhandled_error", "library_error"] * 2
    exceptions = [entry["exception"] for entry in entries]
    assert all(text.startswith("Traceback (most recent call last):\n") for text in exceptions)
    assert all(", in fail\n" in text for text in exceptions)  # the frame that raised
    assert exceptions[0].endswith("asyncpg.exceptions.UniqueViolationError (SQLSTATE 23505)\n")
    assert exceptions[2].endswith("asyncpg.exceptions.InvalidTextRepresentationError (SQLSTATE 22P02)\n")
    assert exceptions[0] == exceptions[1]  # the standard library's lines are rendered alike
