"""Services defined as data (issue 23), end to end through the HTTP API: an admin defines a
service (no code, no restart), a resident applies with documents, an officer asks for a revision,
the resident fixes it, a supervisor approves, the letter is issued with its pattern number and
filled placeholders, its PDF holds the answers and a QR code whose page verifies it; statistics and
the catalogue show the service; a later version leaves the earlier application as it was filed."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
import zxingcpp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from pypdf import PdfReader

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.appointments import appointments_module
from serang_app.modules.permits import permits_module
from tests.support.accounts import resident, signed_in_staff
from tests.support.permit_flow import attach_documents

EXAMPLE = json.loads((Path(__file__).parent / "dinsos_recommendation.json").read_text())
CODE = EXAMPLE["code"]
NIK = "3604055705900001"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def modules() -> list[ModuleSpec]:
    # The appointments module offers the service an appointment outcome names.
    return [appointments_module(), permits_module()]


async def notification_messages(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> list[str]:
    inbox = (await client.get("/v1/me/notifications", headers=headers)).json()["items"]
    messages = [item["message"] for item in inbox]
    assert not [message for message in messages if "Izin" in message or "Permit" in message], messages
    return messages


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages), reader


async def test_a_service_defined_through_the_api_is_applied_for_revised_approved_issued_and_verified(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", "DINSOS")
    supervisor = await signed_in_staff(client, database_url, "supervisor", "DINSOS")

    # Defined: a draft nobody but admins sees.
    assert (await client.post("/v1/permits/definitions", json=EXAMPLE, headers=officer)).status_code == 403
    created = await client.post("/v1/permits/definitions", json=EXAMPLE, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["published_version"], created.json()["has_unpublished_changes"]) == (None, True)
    assert (await client.get(f"/v1/permits/definitions/{CODE}")).status_code == 404

    # Previewed and tried before publishing: the form as residents get it, a sample letter, answers.
    preview = await client.get(f"/v1/permits/definitions/{CODE}/preview", headers=admin)
    assert (preview.json()["version"], preview.json()["agency"]["name"]) == (1, "Dinas Sosial")
    sample = await client.get(f"/v1/permits/definitions/{CODE}/preview.pdf", headers=admin)
    assert sample.status_code == 200, sample.text
    sample_text, _ = pdf_text(sample.content)
    assert "CONTOH" in sample_text
    assert "«Pekerjaan»" in sample_text
    tried = await client.post(
        f"/v1/permits/definitions/{CODE}/try", json={"answers": {"work": "other", "household_size": 4}}, headers=admin
    )
    assert tried.status_code == 200, tried.text
    assert sorted(problem["field"] for problem in tried.json()["problems"]) == ["answers.other_work", "answers.reason"]
    assert "other_work" in tried.json()["shown_fields"]

    published = await client.post(f"/v1/permits/definitions/{CODE}/publish", headers=admin)
    assert published.status_code == 200, published.text
    assert (published.json()["published_version"], published.json()["has_unpublished_changes"]) == (1, False)
    audited = await db.fetch(
        "SELECT action FROM audit_log WHERE object_type = 'service_definition' AND object_id = $1 ORDER BY id", CODE
    )
    assert [row["action"] for row in audited] == ["service_definition.created", "service_definition.published"]

    # Residents find it in the catalogue (its agency and SLA) and fetch its form.
    catalogue = {item["code"]: item for item in (await client.get("/v1/services")).json()["items"]}
    entry = catalogue[f"permits.{CODE}"]
    assert (entry["opd"]["code"], entry["sla_days"], entry["is_open"]) == ("DINSOS", 5, True)
    assert entry["requirements"][0] == {"id": "KTP-el pemohon", "en": "The applicant's ID card"}
    first_answer = await client.get(f"/v1/permits/definitions/{CODE}")
    fetched = first_answer.json()
    assert (fetched["version"], [field["code"] for field in fetched["fields"]]) == (
        1,
        ["household_size", "work", "other_work", "reason"],
    )
    assert fetched["fields"][2]["shown_when"] == {"field": "work", "values": ["other"]}
    assert CODE in [item["code"] for item in (await client.get("/v1/permits/definitions")).json()["items"]]

    # A resident applies with documents.
    applicant = await resident(client)
    named = await client.patch("/v1/me", json={"name": "Siti Aminah", "nik": NIK}, headers=applicant)
    assert named.status_code == 200, named.text
    drafted = await client.post("/v1/permits/applications", json={"type_code": CODE}, headers=applicant)
    assert drafted.status_code == 201, drafted.text
    application_id = drafted.json()["id"]
    answers = {"household_size": 4, "work": "fisher", "other_work": "Pedagang", "reason": "Penghasilan tidak tetap."}
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}", json={"answers": answers}, headers=applicant
    )
    assert answered.status_code == 200, answered.text
    await attach_documents(client, applicant, application_id, ["id_card"])
    # Every problem at once: the missing document; then who may apply (a resident of the regency).
    missing = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert [error["field"] for error in missing.json()["errors"]] == ["documents.need_statement"]
    await attach_documents(client, applicant, application_id, ["need_statement"])
    not_yet = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "permits_not_eligible")
    assert (await client.patch("/v1/me", json={"district_code": "36.04.05"}, headers=applicant)).status_code == 200
    submitted = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert (body["status"], body["definition_version"]) == ("submitted", 1)
    # The answer to the hidden field (work is not "other") is dropped when filed.
    assert "other_work" not in body["answers"]
    case_id = body["case_id"]
    case = await db.fetchrow("SELECT opd_code, sla_days, service_code, module FROM cases WHERE id = $1::uuid", case_id)
    assert case is not None
    assert dict(case) == {"opd_code": "DINSOS", "sla_days": 5, "service_code": f"permits.{CODE}", "module": "permits"}

    # Staff find it in their inbox, reach the application from the case, and ask for a revision.
    inbox = (await client.get("/v1/staff/cases", params={"module": "permits"}, headers=officer)).json()["items"]
    [item] = [item for item in inbox if item["id"] == case_id]
    assert item["module_object"]["path"] == f"/v1/permits/applications/{application_id}"
    started = await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    assert started.status_code == 200, started.text
    revision = await client.post(
        f"/v1/permits/applications/{case_id}/revision",
        json={"note": "Alasan kurang jelas.", "fields": ["reason"], "documents": ["need_statement"]},
        headers=officer,
    )
    assert revision.status_code == 200, revision.text
    assert revision.json()["revision"]["fields"] == [
        {"code": "reason", "title": {"id": "Alasan permohonan", "en": "Why you apply"}}
    ]
    fixed = await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"reason": "Nelayan kecil, penghasilan tidak tetap."}},
        headers=applicant,
    )
    assert fixed.status_code == 200, fixed.text
    await attach_documents(client, applicant, application_id, ["need_statement"])
    resubmitted = await client.post(f"/v1/permits/applications/{application_id}/resubmit", headers=applicant)
    assert resubmitted.json()["status"] == "in_review", resubmitted.text

    # Review and supervisor approval, then the letter.
    by_officer = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
    assert (by_officer.status_code, by_officer.json()["code"]) == (403, "permits_needs_supervisor")
    approved = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=supervisor)
    assert approved.json()["status"] == "approved", approved.text
    issued = await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)
    assert issued.status_code == 200, issued.text
    letter = issued.json()["permit"]
    number = letter["number"]
    year = letter["valid_from"][:4]
    assert re.fullmatch(rf"400\.9/000001/DINSOS/({'|'.join(ROMAN)})/{year}", number), number

    # The resident is told in neutral words (a recommendation is no permit), in either language.
    reference = issued.json()["reference"]
    told = await notification_messages(client, applicant)
    assert f"Dokumen hasil permohonan {reference} sudah terbit; unduh di aplikasi." in told
    assert f"Permohonan {reference} disetujui." in told
    await client.patch("/v1/me", json={"locale": "en"}, headers=applicant)
    told = await notification_messages(client, applicant)
    assert f"The document for application {reference} has been issued; download it in the app." in told
    assert f"Application {reference} was approved." in told
    await client.patch("/v1/me", json={"locale": "id"}, headers=applicant)

    # The PDF: the answers, the resident, the NIK (only here), the signatory, and a QR code.
    downloaded = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)
    assert downloaded.status_code == 200, downloaded.text
    text, reader = pdf_text(downloaded.content)
    flat = " ".join(text.split())
    for expected in (
        number,
        "SURAT REKOMENDASI PBI JKN",
        "Siti Aminah",
        NIK,
        "pekerjaan Nelayan",
        "dengan 4 anggota keluarga",
        "Nelayan kecil, penghasilan tidak tetap.",
        "Dinas Sosial",
        "NIP 197001011990032001",
    ):
        assert expected in flat, (expected, flat)
    assert "{" not in flat
    qr_images = [image for page in reader.pages for image in page.images]
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_images[-1].data)))
    path = urlsplit(decoded.text).path
    verified = await client.get(path)
    assert verified.json()["status"] == "valid"
    assert (verified.json()["number"], verified.json()["permit_type"]["id"]) == (number, "Surat Rekomendasi PBI JKN")
    page = await client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200
    assert number in page.text
    for secret in (NIK, "Siti", "Nelayan"):
        assert secret not in verified.text
        assert secret not in page.text

    # Statistics (by service) and the SPBE export count it.
    stats = (await client.get("/v1/admin/stats", params={"group_by": "service"}, headers=admin)).json()
    assert [group["received"] for group in stats["groups"] if group["key"] == f"permits.{CODE}"] == [1]
    spbe = (await client.get("/v1/admin/stats/spbe", headers=admin)).json()
    [evidence] = [service for service in spbe["services"] if service["service_code"] == f"permits.{CODE}"]
    assert (evidence["opd_code"], evidence["sla_days"], evidence["received"]) == ("DINSOS", 5, 1)

    # The admin edits the published service: version 2 for new applications ...
    changed = copy.deepcopy(EXAMPLE)
    changed["letter"]["body"]["id"] = "Versi kedua untuk {resident.name}."
    changed["fields"][3]["description"] = {"id": "Alasan singkat", "en": "Short reason"}
    changed["sla_days"] = 3
    saved = await client.put(f"/v1/permits/definitions/{CODE}/draft", json=changed, headers=admin)
    assert saved.json()["has_unpublished_changes"] is True, saved.text
    assert (await client.post(f"/v1/permits/definitions/{CODE}/publish", headers=admin)).json()[
        "published_version"
    ] == 2
    # The app's stored copy is out of date: its ETag no longer matches, version 2 comes back.
    refetched = await client.get(
        f"/v1/permits/definitions/{CODE}", headers={"If-None-Match": first_answer.headers["etag"]}
    )
    assert (refetched.status_code, refetched.json()["version"]) == (200, 2)
    catalogue = {item["code"]: item for item in (await client.get("/v1/services")).json()["items"]}
    assert catalogue[f"permits.{CODE}"]["sla_days"] == 3
    # ... while the earlier application still renders with its own.
    again = await client.get(f"/v1/permits/applications/{application_id}", headers=applicant)
    assert again.json()["definition_version"] == 1
    text, _ = pdf_text(
        (await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)).content
    )
    flat = " ".join(text.split())
    assert "Versi kedua" not in flat
    assert "dengan 4 anggota keluarga" in flat

    # Closing stops new applications; the issued letter still verifies.
    closed = await client.post(f"/v1/permits/definitions/{CODE}/close", headers=admin)
    assert closed.json()["is_closed"] is True
    refused = await client.post("/v1/permits/applications", json={"type_code": CODE}, headers=applicant)
    assert [error["field"] for error in refused.json()["errors"]] == ["type_code"]
    catalogue = {item["code"]: item for item in (await client.get("/v1/services")).json()["items"]}
    assert catalogue[f"permits.{CODE}"]["is_open"] is False
    assert (await client.get(path)).json()["status"] == "valid"
    # Reopened, it takes applications again, under its latest version.
    reopened = await client.post(f"/v1/permits/definitions/{CODE}/reopen", headers=admin)
    assert (reopened.json()["is_closed"], reopened.json()["published_version"]) == (False, 2)
    assert (
        await client.post("/v1/permits/applications", json={"type_code": CODE}, headers=applicant)
    ).status_code == 201
    closings = await db.fetch(
        "SELECT action FROM audit_log WHERE object_id = $1 AND action IN ('service_definition.closed', 'service_definition.reopened')",
        CODE,
    )
    assert sorted(row["action"] for row in closings) == ["service_definition.closed", "service_definition.reopened"]


def broken(**changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = copy.deepcopy(EXAMPLE)
    definition.update(changes)
    return definition


async def test_a_definition_with_mistakes_is_refused_naming_each(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    fields = copy.deepcopy(EXAMPLE["fields"])
    fields[2]["shown_when"] = {"field": "reason", "values": ["x"]}  # not a list field
    fields[1]["shown_when"] = {"field": "work", "values": ["farmer"]}  # itself
    letter = copy.deepcopy(EXAMPLE["letter"])
    letter["body"]["id"] = "Untuk {resident.address} dan {answer.shoe_size}."
    letter["number_pattern"] = "400/{sequence}/{year}"
    refused = await client.post(
        "/v1/permits/definitions",
        json=broken(
            agency="NOPE", fields=fields, letter=letter, workflow={**EXAMPLE["workflow"], "outcome": "decision"}
        ),
        headers=admin,
    )
    assert refused.status_code == 422, refused.text
    assert sorted(error["field"] for error in refused.json()["errors"]) == [
        "agency",
        "fields[1].shown_when.field",
        "fields[2].shown_when.field",
        "letter",
        "letter.body.id",
        "letter.number_pattern",
        "letter.number_pattern",
    ]
    # Fields that show each other: a circle.
    circle = copy.deepcopy(EXAMPLE["fields"])
    circle[1]["shown_when"] = {"field": "pick", "values": ["a"]}
    circle.append(
        {
            "code": "pick",
            "datatype": "singlevaluelist",
            "description": {"id": "Pilih", "en": "Pick"},
            "values": [{"key": "a", "name": {"id": "A", "en": "A"}}],
            "shown_when": {"field": "work", "values": ["farmer"]},
        }
    )
    refused = await client.post("/v1/permits/definitions", json=broken(fields=circle), headers=admin)
    assert sorted(error["field"] for error in refused.json()["errors"]) == [
        "fields[1].shown_when.field",
        "fields[4].shown_when.field",
    ]
    # Unknown keys and the bounds of the shape.
    for wrong in (broken(colour="blue"), broken(fields=[EXAMPLE["fields"][0]] * 61), broken(sla_days=91)):
        assert (await client.post("/v1/permits/definitions", json=wrong, headers=admin)).status_code == 422
    assert (await client.post(f"/v1/permits/definitions/{CODE}/publish", headers=admin)).status_code == 404


async def test_a_decision_or_an_appointment_is_done_when_approved(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    """Review only, no revision rounds: approval completes the case; an appointment names the
    appointments service the resident books next (test_appointment_outcome.py books it); neither
    issues a letter."""
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", "DINSOS")
    applicant = await resident(client)
    await client.patch("/v1/me", json={"district_code": "36.04.05"}, headers=applicant)
    for code, outcome, appointment in (
        ("dinsos_decision", "decision", None),
        ("dinsos_card", "appointment", {"service": "ktp_recording"}),
    ):
        definition = broken(
            code=code,
            letter=None,
            appointment=appointment,
            workflow={"approval": "officer", "revisions": False, "outcome": outcome},
        )
        created = await client.post("/v1/permits/definitions", json=definition, headers=admin)
        assert created.status_code == 201, created.text
        assert (await client.post(f"/v1/permits/definitions/{code}/publish", headers=admin)).status_code == 200
        no_letter = await client.get(f"/v1/permits/definitions/{code}/preview.pdf", headers=admin)
        assert (no_letter.status_code, no_letter.json()["code"]) == (409, "permits_no_letter")
        application_id = (
            await client.post("/v1/permits/applications", json={"type_code": code}, headers=applicant)
        ).json()["id"]
        answers = {"household_size": 2, "work": "farmer", "reason": "Tidak mampu."}
        await client.patch(f"/v1/permits/applications/{application_id}", json={"answers": answers}, headers=applicant)
        await attach_documents(client, applicant, application_id, ["id_card", "need_statement"])
        submitted = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
        assert submitted.status_code == 200, submitted.text
        case_id = submitted.json()["case_id"]
        await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
        revision = await client.post(
            f"/v1/permits/applications/{application_id}/revision", json={"note": "Perbaiki."}, headers=officer
        )
        assert (revision.status_code, revision.json()["code"]) == (409, "permits_no_revisions")
        approved = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
        assert approved.status_code == 200, approved.text
        assert (approved.json()["status"], approved.json()["permit"]) == ("issued", None)
        assert approved.json()["appointment_service"] == (appointment or {}).get("service")
        case = (await client.get(f"/v1/cases/{case_id}", headers=applicant)).json()
        assert case["phase"] == "completed"
        issued = await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)
        assert issued.status_code == 409


async def test_the_longest_letter_and_the_oddest_text_still_make_a_pdf(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    """A body of 10,000 characters without a space, braces that are no placeholder, any script:
    the sample letter is drawn (over several pages), never a 500; one character more is refused."""
    admin = await signed_in_staff(client, database_url, "admin", None)
    letter = copy.deepcopy(EXAMPLE["letter"])
    odd = "{ {{number}} }"
    letter["body"]["id"] = "ص" * 9_000 + odd + "x" * (1_000 - len(odd))
    assert len(letter["body"]["id"]) == 10_000
    letter["number_pattern"] = "{{seq}}/{code}"
    created = await client.post("/v1/permits/definitions", json=broken(letter=letter), headers=admin)
    assert created.status_code == 201, created.text
    sample = await client.get(f"/v1/permits/definitions/{CODE}/preview.pdf", headers=admin)
    assert sample.status_code == 200, sample.text
    text, reader = pdf_text(sample.content)
    assert len(reader.pages) > 1
    assert f"{{000001}}/{CODE}" in text
    assert "{{000001}/" in text
    letter["body"]["id"] += "x"
    too_long = await client.put(f"/v1/permits/definitions/{CODE}/draft", json=broken(letter=letter), headers=admin)
    assert too_long.status_code == 422
    assert [error["field"] for error in too_long.json()["errors"]] == ["letter.body.id"]
