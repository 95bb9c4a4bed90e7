"""GET /v1/me/cases encodes its rows straight to JSON (cases/summary_bytes.py): the bytes must be
exactly those of the CasePage the summaries would make (cases/reading.py summary_of), for rows of
every shape a list holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import asyncpg
import msgspec

from serang_app.cases.lists import RESIDENT_FIRST_PAGE
from serang_app.cases.reading import summary_of
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.schemas import CasePage, CaseSummary
from serang_app.cases.summary_bytes import EncodedPage, EncodedSummary, encoded_page
from serang_app.cases.workflow import Workflow
from serang_app.db.pool import Database
from serang_app.modules.appointments.workflow import APPOINTMENT_WORKFLOW
from serang_app.modules.complaints.workflow import complaint_workflow


@dataclass(frozen=True)
class _Declared:
    slug: str
    workflows: tuple[Workflow, ...]


REGISTRY = WorkflowRegistry(
    [
        _Declared("complaints", (complaint_workflow(close_after_days=7),)),
        _Declared("appointments", (APPOINTMENT_WORKFLOW,)),
    ]
)
NOW = datetime.now(UTC)


def test_the_encoded_structs_have_the_summary_fields_in_order() -> None:
    for encoded, summary in ((EncodedSummary, CaseSummary), (EncodedPage, CasePage)):
        # The names as encoded (after any renaming), in order, and every field written out.
        assert encoded.__struct_encode_fields__ == summary.__struct_encode_fields__
        mine, theirs = encoded.__struct_config__, summary.__struct_config__
        assert (mine.omit_defaults, mine.array_like, mine.tag) == (theirs.omit_defaults, theirs.array_like, theirs.tag)


async def _service(database: Database, code: str, module: str, title: dict[str, str]) -> None:
    async with database.acquire() as connection:
        await connection.execute(
            """INSERT INTO catalogue_services (code, module, opd_code, title, description)
               VALUES ($1, $2, 'DPUPR', $3, '{}')
               ON CONFLICT (code) DO UPDATE SET title = excluded.title""",
            code,
            module,
            title,
        )


async def _rows(database: Database, resident: uuid.UUID) -> list[asyncpg.Record]:
    async with database.acquire() as connection:
        return list(await connection.fetch(RESIDENT_FIRST_PAGE, resident, 100, None))


def _expected(rows: list[asyncpg.Record], next_cursor: str | None) -> bytes:
    # The list reads the service's title as its JSON text (one decode per distinct title rather
    # than one per row); summary_of takes it decoded, as the other queries give it.
    decoded = [{**dict(row), "service_title": msgspec.json.decode(row["service_title"])} for row in rows]
    summaries = [summary_of(cast(asyncpg.Record, row), REGISTRY, NOW) for row in decoded]
    return msgspec.json.encode(CasePage(items=summaries, next_cursor=next_cursor))


async def test_every_kind_of_row_encodes_to_the_summary_bytes(app_database: Database) -> None:
    await _service(app_database, "complaints.report", "complaints", {"id": 'Pengaduan "jalan"', "en": "Complaint"})
    await _service(app_database, "appointments.ktp", "appointments", {"en": "ID card", "id": "KTP-el ✓"})
    await _service(app_database, "gone.service", "gone", {"id": "Layanan lama", "en": "Old service"})
    async with app_database.acquire() as connection:
        resident = await connection.fetchval("INSERT INTO residents (locale) VALUES ('id') RETURNING id")
        shapes = [
            # module, workflow, service, status, phase, due, paused, closed, rating, object id
            ("complaints", "complaint", "complaints.report", "submitted", "submitted", 5, None, None, None, None),
            ("complaints", "complaint", "complaints.report", "in_progress", "in_progress", -3, None, None, None, None),
            (
                "complaints",
                "complaint",
                "complaints.report",
                "waiting",
                "waiting_for_resident",
                -3,
                -5,
                None,
                None,
                None,
            ),
            ("complaints", "complaint", "complaints.report", "resolved", "completed", -9, None, -1, 4, None),
            (
                "complaints",
                "complaint",
                "complaints.report",
                "no_such_status",
                "submitted",
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "appointments",
                "appointment",
                "appointments.ktp",
                "booked",
                "submitted",
                2,
                None,
                None,
                None,
                uuid.uuid4(),
            ),
            ("appointments", "appointment", "appointments.ktp", "done", "completed", None, None, -2, 1, uuid.uuid4()),
            ("gone", "retired", "gone.service", "submitted", "submitted", -1, None, None, None, None),
        ]
        for number, (module, workflow, service, status, phase, due, paused, closed, rating, object_id) in enumerate(
            shapes
        ):
            await connection.execute(
                """INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status,
                                      phase, due_at, sla_days, paused_since, closed_at, rating, object_id,
                                      created_at, updated_at, version)
                   VALUES ($1, $2, $3, $4, $5, 'DPUPR', $6, $7, $8, CASE WHEN $8::timestamptz IS NOT NULL THEN 5 END, $9, $10,
                           $11, $12, $13, $13, $14)""",
                f"TST-2612-{number:06d}",
                module,
                workflow,
                service,
                resident,
                status,
                phase,
                None if due is None else NOW + timedelta(days=due),
                None if paused is None else NOW + timedelta(days=paused),
                None if closed is None else NOW + timedelta(days=closed),
                rating,
                object_id,
                NOW - timedelta(hours=number, microseconds=number * 7),
                number + 1,
            )
    rows = await _rows(app_database, resident)
    assert len(rows) == len(shapes)
    for cursor in (None, "bmV4dA"):
        assert encoded_page(rows, REGISTRY, cursor) == _expected(rows, cursor)
    assert encoded_page([], REGISTRY, None) == _expected([], None) == b'{"items":[],"next_cursor":null}'

    # A service renamed meanwhile: the next page carries the new title, as the summaries would.
    await _service(app_database, "complaints.report", "complaints", {"id": "Aduan", "en": "Report"})
    renamed = await _rows(app_database, resident)
    assert encoded_page(renamed, REGISTRY, None) == _expected(renamed, None)
    assert b'"title":{"id":"Aduan","en":"Report"}' in encoded_page(renamed, REGISTRY, None)
