"""Starting the two servers as subprocesses, waiting until they answer, and stopping them for sure."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from bench import PROJECT_ROOT, BenchError
from bench.bare_app import BODY_FILE_VARIABLE
from bench.probe import LOOPBACK, get

# The scripts installed beside the interpreter that runs the benchmark (.venv/bin).
SCRIPTS = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 60.0
GRACEFUL_STOP_SECONDS = 15.0
FORCED_STOP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RunningServer:
    name: str
    port: int
    log_path: Path
    session: int  # the session (and process group) of the server and its workers

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"


def free_port() -> int:
    """A port nothing listens on now; the kernel picks it, so two runs never collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def service_command(port: int, workers: int) -> list[str]:
    return [
        str(SCRIPTS / "serang-app"),
        "serve",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def bare_command(port: int, workers: int, factory: str = "bench.bare_app:create") -> list[str]:
    # What matters per request is what `serang-app serve` gives granian too (ASGI, the worker
    # count, no granian access log), so the two servers differ only in the app they run.
    return [
        str(SCRIPTS / "granian"),
        "--interface",
        "asgi",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--factory",
        factory,
    ]


def service_environment(database_url: str, data_folder: Path, port: int) -> dict[str, str]:
    """Production settings, plus what a benchmark on one machine needs (see the comments)."""
    environment = dict(os.environ)
    environment.update(
        {
            "SERANG_ENV": "production",
            "DATABASE_URL": database_url,
            # The limiter counts per client address, and all of the load comes from 127.0.0.1:
            # left on, it would answer 429 to nearly every request and measure nothing else.
            "SERANG_RATE_LIMIT_PER_MINUTE": "0",
            "SERANG_RATE_LIMIT_WRITES_PER_MINUTE": "0",
            "SERANG_RATE_LIMIT_PUBLIC_WRITES_PER_MINUTE": "0",
            # Not the developer's var/ nor another run's: with several workers `serve` empties the
            # Prometheus folder under the data folder, which a `make run` may be using.
            "SERANG_DATA_DIR": str(data_folder),
            # Production requires its public origin: where the load reaches the service, since the
            # photo rows follow the upload URLs it hands out.
            "SERANG_PUBLIC_URL": f"http://{LOOPBACK}:{port}",
        }
    )
    # As in production unless the caller asks otherwise (SERANG_ACCESS_LOG=false make bench
    # measures what the access log costs).
    environment.setdefault("SERANG_ACCESS_LOG", "true")
    for name, value in _throwaway_secrets().items():
        environment.setdefault(name, value)
    return environment


def _throwaway_secrets() -> dict[str, str]:
    """Production refuses to start without its signing, NIK and storage keys; a benchmark gets fresh ones.

    They live only in the server's environment for the run and protect nothing: the bench
    database holds no resident and is dropped at the end.
    """

    def key() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode()

    return {
        "SERANG_JWT_KEYS": f"bench:{key()}",
        "SERANG_NIK_ENCRYPTION_KEY": key(),
        "SERANG_NIK_INDEX_KEY": key(),
        # Uploads go to the local folder in the run's data folder (no S3_BUCKET), whose URLs it signs.
        "SERANG_STORAGE_SIGNING_KEY": key(),
    }


def bare_environment(body_file: Path | None = None, variables: Mapping[str, str] | None = None) -> dict[str, str]:
    environment = {**os.environ, **(variables or {})}
    if body_file is not None:
        environment[BODY_FILE_VARIABLE] = str(body_file)
    # granian imports `bench.bare_app` by name: the project root must be on the path.
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), environment.get("PYTHONPATH")]))
    return environment


@contextmanager
def running_server(
    name: str,
    command: Sequence[str],
    environment: Mapping[str, str],
    port: int,
    ready_path: str,
    log_path: Path,
) -> Iterator[RunningServer]:
    """Start the server, wait until `ready_path` answers 200, and stop it when the block ends."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        # Output goes to a file, never the terminal: writing the access log to a terminal would
        # slow the server down and measure the terminal. A new session keeps a Ctrl-C in the
        # terminal from reaching the server directly, so the stop below is the only one.
        process = subprocess.Popen(
            list(command),
            cwd=PROJECT_ROOT,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        server = RunningServer(name=name, port=port, log_path=log_path, session=process.pid)
        _wait_until_ready(server, process, ready_path)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: RunningServer, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"the {server.name} server exited with status {process.returncode} before it was ready; "
                f"its last output:\n{_tail(server.log_path)}"
            )
        try:
            status, _ = get(server.port, path, timeout=1.0)
        except OSError as error:
            last_problem = str(error)
        else:
            if status == 200:
                return
            last_problem = f"{path} answered {status}"
        time.sleep(0.1)
    raise BenchError(f"the {server.name} server was not ready after {START_TIMEOUT_SECONDS:.0f} s ({last_problem})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (granian's graceful stop), then SIGTERM, then SIGKILL to the server's own group.

    The group is the session this benchmark created for the server, so the signals reach its
    worker processes too and nothing else.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            process.wait(GRACEFUL_STOP_SECONDS)
    for forced in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None and not _group_alive(process.pid):
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, forced)
        with suppress(subprocess.TimeoutExpired):
            process.wait(FORCED_STOP_SECONDS)
    # The group may need a moment to disappear after SIGKILL; wait() reaped the leader already.
    with suppress(subprocess.TimeoutExpired):
        process.wait(FORCED_STOP_SECONDS)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"
