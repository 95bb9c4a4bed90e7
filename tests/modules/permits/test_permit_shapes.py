"""What the residents' app reads from a permit application without guessing (issue 22): a
revision request as fields and documents with their titles (also on the case's timeline), the
issued permit's number, validity, agency and verification URL, and no permit issued to a holder
without a real name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.modules.permits import permits_module
from tests.conftest import app_for
from tests.support.accounts import signed_in_staff
from tests.support.names import MARUF
from tests.support.permit_flow import approved_application, issued_permit, new_applicant, submitted_application

PUBLIC_URL = "https://layanan.serang.test"


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = app_for(
        database_url,
        modules=[permits_module()],
        SERANG_RATE_LIMIT_PER_MINUTE="0",
        SERANG_RUN_WORKER_IN_PROCESS="false",
        SERANG_DATA_DIR=str(tmp_path / "data"),
        SERANG_PUBLIC_URL=PUBLIC_URL,
    )
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_a_revision_request_names_fields_and_documents_with_their_titles(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant = await new_applicant(client, "Siti Aminah")
    application_id, case_id = await submitted_application(client, applicant)
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    # Unknown fields in the request are refused, as before.
    sloppy = await client.post(
        f"/v1/permits/applications/{application_id}/revision",
        json={"note": "Perbaiki.", "fields": ["business_name"], "priority": "high"},
        headers=officer,
    )
    assert sloppy.status_code == 422
    asked = await client.post(
        f"/v1/permits/applications/{application_id}/revision",
        json={"note": "Samakan dengan papan nama.", "fields": ["business_name"], "documents": ["id_card"]},
        headers=officer,
    )
    assert asked.status_code == 200, asked.text
    expected = {
        "note": "Samakan dengan papan nama.",
        "fields": [{"code": "business_name", "title": {"id": "Nama usaha", "en": "Business name"}}],
        "documents": [{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}}],
    }
    assert asked.json()["revision"] == expected
    read = await client.get(f"/v1/permits/applications/{application_id}", headers=applicant)
    assert read.json()["revision"] == expected
    # The timeline names them by title in both languages, not by code.
    timeline = (await client.get(f"/v1/cases/{case_id}", headers=applicant)).json()["timeline"]
    [note] = [entry["note"] for entry in timeline if entry["to_status"] == "revision_requested"]
    assert note == "Samakan dengan papan nama.\nPerbaiki / Fix: Nama usaha (Business name); KTP-el (ID card)"
    assert "business_name" not in note
    # Once resubmitted, nothing is asked any more.
    resubmitted = await client.post(f"/v1/permits/applications/{application_id}/resubmit", headers=applicant)
    assert resubmitted.status_code == 200, resubmitted.text
    assert resubmitted.json()["revision"] is None


async def test_an_issued_application_carries_number_validity_agency_and_verification_url(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    applicant, application_id, issued = await issued_permit(client, database_url, "Siti Aminah")
    row = await db.fetchrow("SELECT number, issued_at, expires_at, verification_code FROM permits.issued")
    assert row is not None
    permit = issued["permit"]
    assert permit["number"] == row["number"]
    assert permit["status"] == "valid"
    assert permit["issuing_agency"]["code"] == "DPMPTSP"
    assert permit["issuing_agency"]["name"] == await db.fetchval("SELECT name FROM opds WHERE code = 'DPMPTSP'")
    # The configured public origin, whatever Host the request named.
    read = await client.get(
        f"/v1/permits/applications/{application_id}",
        headers={**applicant, "Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert read.status_code == 200, read.text
    assert read.json()["permit"] == permit
    assert permit["verification_url"] == f"{PUBLIC_URL}/v1/permits/verify/{row['verification_code']}"
    valid_from = read.json()["permit"]["valid_from"]
    assert valid_from.replace("Z", "+00:00")[:19] == row["issued_at"].isoformat()[:19]
    assert permit["valid_until"] is not None
    assert (row["expires_at"] - row["issued_at"]).days == 365
    # The list shows the same, and a permit not yet issued has none.
    listed = (await client.get("/v1/permits/applications", headers=applicant)).json()["items"]
    assert listed[0]["permit"] == permit
    draft = await client.post("/v1/permits/applications", json={"type_code": "research"}, headers=applicant)
    assert draft.json()["permit"] is None
    assert draft.json()["revision"] is None
    # Revoked: the status says so.
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    revoked = await client.post(
        f"/v1/permits/applications/{application_id}/revoke", json={"reason": "Usaha tutup."}, headers=officer
    )
    assert revoked.json()["permit"]["status"] == "revoked"


@pytest.mark.parametrize("name", [None, "-", " ... ", "123", "N/A", "tidak ada"])
async def test_no_permit_is_issued_to_a_holder_without_a_real_name(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, name: str | None
) -> None:
    applicant = await new_applicant(client, name)
    application_id, _case_id, officer = await approved_application(client, database_url, applicant)
    refused = await client.post(
        f"/v1/permits/applications/{application_id}/issue", headers={**officer, "Accept-Language": "en"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "permits_holder_name_missing"
    assert refused.json()["field"] == "name"
    assert "full name in the profile (field name)" in refused.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM permits.issued") == 0
    in_indonesian = await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)
    assert "nama lengkap di profil" in in_indonesian.json()["detail"]
    # Once the applicant completes the profile, the permit is issued in that name.
    assert (await client.patch("/v1/me", json={"name": MARUF}, headers=applicant)).status_code == 200
    issued = await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)
    assert issued.status_code == 200, issued.text
    assert await db.fetchval("SELECT holder_name FROM permits.issued") == MARUF
