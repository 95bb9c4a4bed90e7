"""`serang-app opds import FILE`: a region's own agencies from a CSV file (docs/identity.md).

The file has the columns `code,short_name,name` (the format of data/reference/serang_opd.csv),
UTF-8, one agency a row. Every row is checked by the same rules as POST /v1/admin/opds before
anything is written, and a file with any bad row is refused whole, naming each bad row. A good
file is applied in one transaction: new codes are added, known ones renamed and reopened, and,
unless the caller keeps them, agencies the file does not list are closed (never deleted: cases,
staff and services refer to them), except the administrators' own agency. The import is audited.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import asyncpg
import msgspec

from serang_app.audit.log import record
from serang_app.db.pool import use_json_codecs
from serang_app.opds.schemas import NewOpd
from serang_app.staff.accounts import ADMIN_OPD

COLUMNS = ["code", "short_name", "name"]
_PATH_IN_ERROR = re.compile(r" - at `\$\.(\w+)`$")

_UPSERT = """
INSERT INTO opds (code, short_name, name) VALUES ($1, $2, $3)
ON CONFLICT (code) DO UPDATE SET short_name = excluded.short_name, name = excluded.name, is_active = true
WHERE (opds.short_name, opds.name, opds.is_active) IS DISTINCT FROM (excluded.short_name, excluded.name, true)
RETURNING (xmax = 0) AS added
"""
_CLOSE_OTHERS = """
UPDATE opds SET is_active = false
WHERE code <> ALL($1::text[]) AND code <> $2 AND is_active
RETURNING code
"""


class AgencyFileError(Exception):
    """The file cannot be imported; `problems` names each bad row (or the header)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the agencies file")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def read_agencies(text: str) -> list[NewOpd]:
    """The agencies of the file, or AgencyFileError naming every bad row by its line number."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows or [cell.strip() for cell in rows[0]] != COLUMNS:
        raise AgencyFileError([f"line 1: expected the header {','.join(COLUMNS)}"])
    problems: list[str] = []
    agencies: list[NewOpd] = []
    first_line_of: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as editors leave at the end
        if len(row) != len(COLUMNS):
            problems.append(f"line {line}: expected {len(COLUMNS)} columns ({','.join(COLUMNS)}), got {len(row)}")
            continue
        try:
            agency = msgspec.convert(dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True)), NewOpd)
        except msgspec.ValidationError as error:
            problems.append(f"line {line}: {_described(error)}")
            continue
        if agency.code in first_line_of:
            problems.append(f"line {line}: code {agency.code} is already on line {first_line_of[agency.code]}")
            continue
        first_line_of[agency.code] = line
        agencies.append(agency)
    if not agencies and not problems:
        problems.append("no agencies: the file has a header and no rows")
    if problems:
        raise AgencyFileError(problems)
    return agencies


def _described(error: msgspec.ValidationError) -> str:
    """msgspec's "Expected `str` of length <= 60 - at `$.short_name`" as "short_name: expected ..."."""
    message = str(error)
    match = _PATH_IN_ERROR.search(message)
    if match is None:
        return message
    reason = message[: match.start()]
    return f"{match.group(1)}: {reason[:1].lower()}{reason[1:]}"


async def import_agencies(
    connection: asyncpg.Connection, agencies: list[NewOpd], *, close_others: bool
) -> ImportResult:
    """Apply the agencies in one transaction, audited as the system's doing."""
    await use_json_codecs(connection)  # the audit's details are JSON
    result = ImportResult()
    async with connection.transaction():
        for agency in agencies:
            added = await connection.fetchval(_UPSERT, agency.code, agency.short_name, agency.name)
            kept = result.unchanged if added is None else result.added if added else result.updated
            kept.append(agency.code)
        if close_others:
            closed = await connection.fetch(_CLOSE_OTHERS, [agency.code for agency in agencies], ADMIN_OPD)
            result.closed.extend(sorted(row["code"] for row in closed))
        await record(
            connection,
            actor_kind="system",
            actor_id=None,
            action="opds.imported",
            request_id=None,
            object_type="opd",
            details={"added": result.added, "updated": result.updated, "closed": result.closed},
        )
    return result
