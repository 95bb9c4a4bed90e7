"""The pytest plugin (entry point `pytest11`) that ships the module contract with the core.

It gives the contract tests their database server: TEST_DATABASE_URL, else PostgreSQL on
127.0.0.1:5432 if it answers, else an embedded server kept in ./var/test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from serang_app.contract.servers import TestServer


@pytest.fixture(scope="session")
def serang_test_server() -> Iterator[TestServer]:
    server = TestServer(Path.cwd() / "var" / "test")
    yield server
    server.stop()
