"""The check that keeps migrations safe for a rolling upgrade (db/migration_safety.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from serang_app.db.migration_safety import check_sources
from serang_app.db.migrations import MigrationSource
from tests.support.processes import run_cli

EXISTING = "CREATE TABLE parks (id int PRIMARY KEY, name text NOT NULL, kind text);\n"


def _check(tmp_path: Path, *files: str) -> list[str]:
    """Write the files as one module's migrations 0001, 0002, ... and return what the check says."""
    for number, sql in enumerate(files, start=1):
        (tmp_path / f"{number:04d}_step.sql").write_text(sql, encoding="utf-8")
    count, unsafe = check_sources([MigrationSource("parks", tmp_path)])
    assert count == len(files)
    return [str(problem) for problem in unsafe]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("DROP TABLE parks;", "drops table parks"),
        ("ALTER TABLE parks DROP COLUMN kind;", "drops column parks.kind"),
        ("ALTER TABLE parks RENAME COLUMN kind TO category;", "renames column parks.kind to category"),
        ("ALTER TABLE parks RENAME TO gardens;", "renames table parks to gardens"),
        ("ALTER TABLE parks ALTER COLUMN kind TYPE varchar(20);", "changes the type of column parks.kind"),
        ("ALTER TABLE parks ALTER COLUMN kind SET NOT NULL;", "makes column parks.kind NOT NULL without a default"),
        ("ALTER TABLE parks ADD COLUMN area int NOT NULL;", "adds column parks.area NOT NULL without a default"),
        ("ALTER TABLE parks SET SCHEMA archive;", "moves table parks to schema archive"),
        ("DROP VIEW park_names;", "drops view park_names"),
        ("DROP FUNCTION park_area(int);", "drops function park_area"),
        ("ALTER TYPE park_kind RENAME VALUE 'forest' TO 'woods';", "renames the value 'forest' of type park_kind"),
    ],
)
def test_a_statement_that_breaks_the_running_release_is_refused(tmp_path: Path, statement: str, reason: str) -> None:
    second = f"-- Tidy up the parks (é).\nUPDATE parks SET name = 'Taman Séraang' WHERE false;\n\n{statement}\n"
    assert _check(tmp_path, EXISTING, second) == [
        f"parks/0002_step.sql:4: {reason}, which the running release may still use: {statement.rstrip(';')}"
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE parks ADD COLUMN area int;",
        "ALTER TABLE parks ADD COLUMN visits int NOT NULL DEFAULT 0;",
        "ALTER TABLE parks ADD COLUMN id2 bigint NOT NULL GENERATED ALWAYS AS IDENTITY;",
        "ALTER TABLE parks ALTER COLUMN kind SET DEFAULT 'city'; ALTER TABLE parks ALTER COLUMN kind SET NOT NULL;",
        "CREATE INDEX parks_kind ON parks (kind); DROP INDEX parks_kind;",
        "CREATE TABLE scratch (id int); ALTER TABLE scratch RENAME COLUMN id TO n; DROP TABLE scratch;",
        "ALTER TYPE park_kind ADD VALUE 'beach';",
    ],
)
def test_expanding_the_schema_passes(tmp_path: Path, statement: str) -> None:
    assert _check(tmp_path, EXISTING, statement) == []


def test_a_contract_step_says_why_it_is_safe_now(tmp_path: Path) -> None:
    drop = "ALTER TABLE parks DROP COLUMN kind;\n"
    assert _check(tmp_path, EXISTING, "-- contract: no release since 1.4 reads parks.kind\n" + drop) == []
    # The marker needs its reason.
    assert len(_check(tmp_path, EXISTING, "-- contract:\n" + drop)) == 1


def test_sql_postgresql_cannot_parse_is_refused(tmp_path: Path) -> None:
    assert _check(tmp_path, "CREATE TABL parks (id int);") == [
        'parks/0001_step.sql:1: PostgreSQL cannot parse it (syntax error at or near "TABL", at index 7)'
    ]


@pytest.mark.e2e
def test_the_repository_migrations_pass_through_the_cli() -> None:
    result = run_cli("migrate", "check", env={"SERANG_MODULES": "all"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("migration file(s) checked: each leaves a schema the running release works with\n")
    assert int(result.stdout.split()[0]) >= 20
