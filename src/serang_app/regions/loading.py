"""Loads the chosen region's rows from the shipped national list into the regions table.

Run after the migrations by every process that prepares the database (`migrate apply`, `serve`
with SERANG_MIGRATE_ON_START) and checked again by each web process, so a region switched by its
setting alone is loaded on the next start. Idempotent: a region already loaded from this data
version costs one query. The regions table starts at the regency (parent_code NULL), as
0002_regions.sql seeded the default region, so GET /v1/regions and every reader of the table keep their shape;
the province is recorded in region_data_loads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from serang_app.regions.reference_data import DATA_VERSION, CodedRegion, data_folder, province_of, region_rows

# Two processes starting together load once; the key is this module's own (any fixed number).
_LOAD_LOCK = 7_036_04

_LOADED = "SELECT 1 FROM region_data_loads WHERE region_code = $1 AND data_version = $2"
# Code order puts a parent before its children, which the foreign key on parent_code needs.
_UPSERT = """
INSERT INTO regions (code, name, level, parent_code)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
ON CONFLICT (code) DO UPDATE
SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code, retired_in = NULL
WHERE (regions.name, regions.level, regions.parent_code, regions.retired_in)
      IS DISTINCT FROM (excluded.name, excluded.level, excluded.parent_code, NULL)
"""
_RETIRE = """
UPDATE regions SET retired_in = $3
WHERE (code = $1 OR code LIKE $1 || '.%') AND code <> ALL($2::text[]) AND retired_in IS NULL
"""
_HISTORY = """
INSERT INTO region_code_history (old_code, new_code, change, decree, data_version)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
ON CONFLICT DO NOTHING
"""
_RECORD = """
INSERT INTO region_data_loads (region_code, data_version, province_code, province_name, rows_loaded)
VALUES ($1, $2, $3, $4, $5)
"""


@dataclass(frozen=True, slots=True)
class CodeChange:
    """A row of data/code_changes.csv: how a code of an earlier list leads to today's."""

    old_code: str
    new_code: str
    change: str  # renamed, moved, split or merged
    decree: str
    data_version: str


def shipped_code_changes() -> list[CodeChange]:
    text = (data_folder() / "code_changes.csv").read_text(encoding="utf-8")
    return [CodeChange(**row) for row in csv.DictReader(io.StringIO(text, newline=""))]


async def ensure_region_loaded(
    connection: asyncpg.Connection, region_code: str, changes: Sequence[CodeChange] | None = None
) -> int:
    """Load the region from the shipped data (and the shipped code changes, unless others are
    given) unless this version is loaded: the rows it loaded, 0 when it was loaded already."""
    if await connection.fetchval(_LOADED, region_code, DATA_VERSION):
        return 0
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOAD_LOCK)
        if await connection.fetchval(_LOADED, region_code, DATA_VERSION):
            return 0
        rows = region_rows(region_code)
        await _upsert(connection, rows, region_code)
        # A code this list no longer has stays for what points at it, left out of every list.
        await connection.execute(_RETIRE, region_code, [row.code for row in rows], DATA_VERSION)
        await _record_history(connection, region_code, shipped_code_changes() if changes is None else changes)
        province = province_of(region_code)
        await connection.execute(_RECORD, region_code, DATA_VERSION, province.code, province.name, len(rows))
    return len(rows)


async def _upsert(connection: asyncpg.Connection, rows: tuple[CodedRegion, ...], region_code: str) -> None:
    # The region is the root of this deployment's tree: its province is not a row of the table.
    parents = [None if row.code == region_code else row.parent_code for row in rows]
    await connection.execute(
        _UPSERT, [row.code for row in rows], [row.name for row in rows], [row.level for row in rows], parents
    )


async def _record_history(connection: asyncpg.Connection, region_code: str, changes: Sequence[CodeChange]) -> None:
    """The code changes that touch this region, into region_code_history."""
    prefix = region_code + "."
    touching = [
        change
        for change in changes
        if any(code == region_code or code.startswith(prefix) for code in (change.old_code, change.new_code))
    ]
    if touching:
        columns = ("old_code", "new_code", "change", "decree", "data_version")
        await connection.execute(_HISTORY, *([getattr(change, column) for change in touching] for column in columns))


async def load_region(dsn: str, region_code: str, *, connect_timeout: float = 10.0) -> int:
    """ensure_region_loaded on a connection of its own, for the commands that migrate."""
    connection = await asyncpg.connect(dsn, timeout=connect_timeout)
    try:
        return await ensure_region_loaded(connection, region_code)
    finally:
        await connection.close()
