"""The ceiling for POST /v1/permits/applications/{id}/submit to a defined service: Litestar and
asyncpg doing submission's writes, bare, in one transaction: the draft locked and read, the case
numbered and inserted with its timeline, audit and staff notice (the case engine's own
PreparedCase.open), the application filed, its words indexed for staff search and its uploads
handed to the case, by the module's own statements. No authentication, no definition read, no
completeness or eligibility check, no answer encoding: what the service adds around the writes.
The resident comes in a header (the ceiling has no sign-in).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, get, post
from litestar.datastructures import State
from litestar.response import Response

from bench.bare_pool import pool_lifespan
from serang_app.auth.actor import CaseActor
from serang_app.cases.calendar import JAKARTA  # the bench runs the default region, Kabupaten Serang
from serang_app.cases.opening import PreparedCase
from serang_app.cases.search_words import index_case_words
from serang_app.uploads.service import UploadOwner, link_used_uploads

DATABASE_VARIABLE = "BENCH_SUBMISSIONS_DATABASE_URL"
RESIDENT_HEADER = "X-Bench-Resident"
# What the bench waits on before loading the app (its one real route is a POST).
READY_PATH = "/ready"
_DRAFT = """
SELECT a.type_code, a.answers,
       coalesce((SELECT array_agg(d.upload_id) FROM permits.application_documents d WHERE d.application_id = a.id),
                '{}') AS uploads
FROM permits.applications a WHERE a.id = $1 AND a.case_id IS NULL FOR UPDATE
"""
_FILE = """
UPDATE permits.applications
SET case_id = $2, definition_version = 1, answers = $3, submitted_at = now(), updated_at = now()
WHERE id = $1
"""


def create() -> Litestar:
    dsn = os.environ[DATABASE_VARIABLE]

    @post("/v1/permits/applications/{application_id:uuid}/submit", status_code=200)
    async def submit(state: State, request: Request[Any, Any, Any], application_id: uuid.UUID) -> Response[bytes]:
        actor = CaseActor.resident(uuid.UUID(request.headers[RESIDENT_HEADER]))
        now = datetime.now(UTC)
        async with state.pool.acquire() as connection, connection.transaction():
            draft = await connection.fetchrow(_DRAFT, application_id)
            if draft is None:
                return Response(content=b"{}", media_type=MediaType.JSON, status_code=409)
            opened = await PreparedCase(
                actor=actor,
                module="permits",
                workflow="permit",
                service_code=f"permits.{draft['type_code']}",
                reference_prefix="IZN",
                period=now.astimezone(JAKARTA).strftime("%y%m"),
                opd_code="DISTAN",
                district_code=None,
                status="submitted",
                phase="submitted",
                sla_days=1,
                due_at=now + timedelta(days=1),
                now=now,
                pauses_sla=False,
                is_public=False,
                object_id=application_id,
                notify_staff=True,
            ).open(connection)
            await connection.execute(_FILE, application_id, opened.id, draft["answers"])
            await index_case_words(connection, opened.id, [str(value) for value in draft["answers"].values()])
            await link_used_uploads(connection, UploadOwner.of(actor), opened.id, list(draft["uploads"]))
        body = {"id": application_id, "case_id": opened.id, "reference": opened.reference, "status": opened.status}
        return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)

    @get(READY_PATH)
    async def ready() -> Response[bytes]:
        return Response(content=b"{}", media_type=MediaType.JSON)

    return Litestar(
        route_handlers=[submit, ready], lifespan=[pool_lifespan(dsn, json_codecs=True)], openapi_config=None
    )
