"""The permits module over the app's HTTP API: a draft filled over several requests, submission
that names every problem at once, a revision round, approval by the right role, and who may see
or touch an application."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
import zxingcpp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from pypdf import PdfReader

from serang_app.auth.actor import CaseActor
from serang_app.cases.engine import CaseEngine
from serang_app.cases.registry import WorkflowRegistry
from serang_app.db.pool import Database
from serang_app.http.problems import ApiError
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.permits import applications, permits_module
from tests.support.accounts import resident, signed_in_staff
from tests.support.names import MARUF, NURAINI, OTHER_NAMES
from tests.support.pdfs import catalog, plain_pdf
from tests.support.uploading import upload

PDF = "application/pdf"
LETTER = plain_pdf(catalog())


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [permits_module()]


async def document(client: Any, auth: dict[str, str]) -> str:
    upload_id, completed = await upload(client, auth, LETTER, PDF, "permit_document")
    assert completed.status_code == 200, completed.text
    return upload_id


async def draft(client: Any, auth: dict[str, str], type_code: str = "business_certificate") -> str:
    created = await client.post("/v1/permits/applications", json={"type_code": type_code}, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    application_id: str = created.json()["id"]
    return application_id


async def attach(client: Any, auth: dict[str, str], application_id: str, code: str) -> Any:
    upload_id = await document(client, auth)
    return await client.put(
        f"/v1/permits/applications/{application_id}/documents/{code}", json={"upload_id": upload_id}, headers=auth
    )


async def test_a_draft_is_submitted_revised_and_approved(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    types = (await client.get("/v1/permits/types")).json()["items"]
    assert [kind["code"] for kind in types] == [
        "business_certificate",
        "advertisement",
        "research",
        "crowd_event",
        "health_facility",
    ]
    applicant = await resident(client)
    application_id = await draft(client, applicant)
    # Filled over several requests, in any order.
    assert (await attach(client, applicant, application_id, "family_card")).status_code == 200
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_name": "Warung Sate Bu Ijah", "business_kind": "food"}},
        headers=applicant,
    )
    assert answered.json()["answers"] == {"business_name": "Warung Sate Bu Ijah", "business_kind": "food"}
    assert (await attach(client, applicant, application_id, "id_card")).status_code == 200
    submitted = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["reference"].startswith("IZN-")
    case_id = submitted.json()["case_id"]
    assert await db.fetchval("SELECT opd_code FROM cases WHERE id = $1", uuid.UUID(case_id)) == "DPMPTSP"
    # No changes while it is reviewed.
    locked = await client.patch(
        f"/v1/permits/applications/{application_id}", json={"answers": {"business_name": "X"}}, headers=applicant
    )
    assert locked.status_code == 409

    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    seen = await client.get(f"/v1/permits/applications/{application_id}", headers=officer)
    assert seen.status_code == 200
    for document_id in seen.json()["documents"].values():
        assert (await client.get(f"/v1/uploads/{document_id}", headers=officer)).status_code == 200
    started = await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    assert started.status_code == 200
    unknown = await client.post(
        f"/v1/permits/applications/{application_id}/revision",
        json={"note": "Perbaiki.", "fields": ["favourite_colour"]},
        headers=officer,
    )
    assert unknown.status_code == 422
    revision = await client.post(
        f"/v1/permits/applications/{application_id}/revision",
        json={"note": "Nama usaha harus sama dengan papan nama.", "fields": ["business_name"]},
        headers=officer,
    )
    assert revision.status_code == 200, revision.text
    assert revision.json()["status"] == "revision_requested"
    assert (await db.fetchval("SELECT paused_since IS NOT NULL FROM cases WHERE id = $1", uuid.UUID(case_id))) is True
    fixed = await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_name": "Sate Bu Ijah"}},
        headers=applicant,
    )
    assert fixed.json()["answers"]["business_name"] == "Sate Bu Ijah"
    resubmitted = await client.post(f"/v1/permits/applications/{application_id}/resubmit", headers=applicant)
    assert resubmitted.json()["status"] == "in_review"
    # Approving is the module's route: the generic action route does not offer it.
    generic = await client.post(f"/v1/cases/{case_id}/actions/approve", headers={**officer, "If-Match": "*"})
    assert generic.status_code == 409
    approved = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    told = await db.fetch(
        "SELECT recipient_kind, template FROM notifications WHERE case_id = $1 ORDER BY created_at", uuid.UUID(case_id)
    )
    assert [(row["recipient_kind"], row["template"]) for row in told] == [
        ("resident", "permits.in_review"),
        ("resident", "permits.revision"),
        # The officer who asked for the revision hears of the resubmission (docs/notifications.md).
        ("staff", "case.resident_answered"),
        ("resident", "permits.approved"),
    ]
    mine = (await client.get("/v1/permits/applications", headers=applicant)).json()["items"]
    assert [item["id"] for item in mine] == [application_id]


async def test_submitting_names_every_missing_or_wrong_part_at_once(client: AsyncTestClient[Litestar]) -> None:
    applicant = await resident(client)
    application_id = await draft(client, applicant)
    await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_kind": "smuggling", "started": "last year", "shoe_size": 42}},
        headers=applicant,
    )
    await attach(client, applicant, application_id, "id_card")
    refused = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert refused.status_code == 422
    assert sorted(error["field"] for error in refused.json()["errors"]) == [
        "answers.business_kind",
        "answers.business_name",
        "answers.shoe_size",
        "answers.started",
        "documents.family_card",
    ]
    # Clearing an answer with null, fixing the rest: then it goes through.
    await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_kind": "food", "started": None, "shoe_size": None, "business_name": "Toko"}},
        headers=applicant,
    )
    await attach(client, applicant, application_id, "family_card")
    assert (
        await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    ).status_code == 200


async def test_two_submissions_at_once_open_one_case(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, app_database: Database
) -> None:
    applicant = await resident(client)
    application_id = await draft(client, applicant)
    await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_name": "Toko Jaya", "business_kind": "trade"}},
        headers=applicant,
    )
    for code in ("id_card", "family_card"):
        await attach(client, applicant, application_id, code)
    resident_id = await db.fetchval("SELECT resident_id FROM permits.applications")
    actor = CaseActor.resident(resident_id)
    engine = CaseEngine(WorkflowRegistry([permits_module()]))
    # The first submission is made, not yet committed, when the second starts: the second must
    # wait for it and then find the application submitted.
    async with app_database.acquire() as first, app_database.acquire() as second:
        first_transaction = first.transaction()
        await first_transaction.start()
        await applications.submit(engine, first, actor, uuid.UUID(application_id), "https://serang.test")
        second_transaction = second.transaction()
        await second_transaction.start()
        racing = asyncio.create_task(
            applications.submit(engine, second, actor, uuid.UUID(application_id), "https://serang.test")
        )
        await asyncio.sleep(0.3)
        await first_transaction.commit()
        with pytest.raises(ApiError) as refused:
            await racing
        await second_transaction.rollback()
    assert refused.value.status_code == 409
    assert await db.fetchval("SELECT count(*) FROM cases") == 1


async def test_nobody_else_reads_or_touches_an_application(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant, other = await resident(client), await resident(client)
    application_id = await draft(client, applicant)
    others_upload = await document(client, other)
    stolen = await client.put(
        f"/v1/permits/applications/{application_id}/documents/id_card",
        json={"upload_id": others_upload},
        headers=applicant,
    )
    assert stolen.status_code == 404
    assert (await client.get(f"/v1/permits/applications/{application_id}", headers=other)).status_code == 404
    foreign = await client.patch(
        f"/v1/permits/applications/{application_id}", json={"answers": {"business_name": "X"}}, headers=other
    )
    assert foreign.status_code == 404
    assert (await client.post(f"/v1/permits/applications/{application_id}/submit", headers=other)).status_code == 404
    # A PDF where the document takes only a photo; a document the type does not have.
    letter = await document(client, applicant)
    wrong_kind = await client.put(
        f"/v1/permits/applications/{application_id}/documents/place_photo",
        json={"upload_id": letter},
        headers=applicant,
    )
    assert wrong_kind.status_code == 422
    assert [error["field"] for error in wrong_kind.json()["errors"]] == ["upload_id"]
    no_such = await client.put(
        f"/v1/permits/applications/{application_id}/documents/nope", json={"upload_id": letter}, headers=applicant
    )
    assert no_such.status_code == 404
    outsider = await signed_in_staff(client, database_url, "officer", "DLH")
    assert (await client.get(f"/v1/permits/applications/{application_id}", headers=outsider)).status_code == 404
    # Staff see a draft of no one: it is not a case yet.
    own_agency = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    assert (await client.get(f"/v1/permits/applications/{application_id}", headers=own_agency)).status_code == 404


async def test_a_type_that_needs_a_supervisor_is_approved_by_one(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant = await resident(client)
    application_id = await draft(client, applicant, "advertisement")
    await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"location": "Jl. Raya Serang km 5", "size_m2": 12, "kind": "billboard"}},
        headers=applicant,
    )
    for code in ("id_card", "design", "land_consent"):
        assert (await attach(client, applicant, application_id, code)).status_code == 200
    case_id = (await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)).json()[
        "case_id"
    ]
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    supervisor = await signed_in_staff(client, database_url, "supervisor", "DPMPTSP")
    await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    by_officer = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
    assert by_officer.status_code == 403
    assert by_officer.json()["code"] == "permits_needs_supervisor"
    by_supervisor = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=supervisor)
    assert by_supervisor.json()["status"] == "approved"


async def issued_permit(
    client: Any, database_url: str, name: str = "Siti Aminah"
) -> tuple[dict[str, str], dict[str, str], str, str]:
    """An approved business certificate of a named resident: (applicant, officer, application, case)."""
    applicant = await resident(client)
    named = await client.patch("/v1/me", json={"name": name}, headers=applicant)
    assert named.status_code == 200, named.text
    application_id = await draft(client, applicant)
    await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_name": "Warung Siti", "business_kind": "food"}},
        headers=applicant,
    )
    for code in ("id_card", "family_card"):
        await attach(client, applicant, application_id, code)
    case_id = (await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)).json()[
        "case_id"
    ]
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
    # Nothing to download before it is issued.
    early = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)
    assert (early.status_code, early.json()["code"]) == (409, "permits_not_issued")
    issued = await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)
    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "issued"
    return applicant, officer, application_id, case_id


async def test_an_issued_permit_downloads_as_a_pdf_whose_qr_code_verifies_it(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    applicant, _officer, application_id, _ = await issued_permit(client, database_url)
    issued = await db.fetchrow("SELECT number, verification_code FROM permits.issued")
    assert issued is not None
    number, code = issued["number"], issued["verification_code"]
    assert re.fullmatch(r"SKU/\d{4}/000001", number)
    downloaded = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(downloaded.content))
    [page] = reader.pages
    assert number in page.extract_text()
    [qr_image] = page.images
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_image.data)))
    assert decoded.text == f"http://testserver.local/v1/permits/verify/{code}"
    # Anyone may verify, and learns only what a third party needs.
    verified = await client.get(urlsplit(decoded.text).path)
    assert verified.status_code == 200
    assert verified.json()["status"] == "valid"
    assert verified.json()["number"] == number
    assert verified.json()["holder"] == "S*** A*****"
    assert set(verified.json()) == {
        "status",
        "permit_type",
        "number",
        "holder",
        "issued_at",
        "expires_at",
        "issuing_agency",
    }
    assert verified.json()["issuing_agency"]["code"] == "DPMPTSP"
    assert "Siti" not in verified.text
    assert "Warung" not in verified.text
    # The holder is reminded 30 days before it ends (a year from now): not before.
    reminder = await db.fetchrow(
        """SELECT n.created_at, i.expires_at FROM notifications n JOIN permits.issued i ON i.case_id = n.case_id
           WHERE n.template = 'permits.expiring'"""
    )
    assert reminder is not None
    assert reminder["expires_at"] - reminder["created_at"] == timedelta(days=30)
    inbox = (await client.get("/v1/me/notifications", headers=applicant)).json()["items"]
    assert not [item for item in inbox if number in item["message"]]
    await db.execute(
        "UPDATE notifications SET created_at = now() - interval '1 second' WHERE template = 'permits.expiring'"
    )
    inbox = (await client.get("/v1/me/notifications", headers=applicant)).json()["items"]
    [due] = [item for item in inbox if number in item["message"]]
    assert "berakhir dalam 30 hari" in due["message"]
    # Another resident cannot download it.
    other = await resident(client)
    assert (await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=other)).status_code == 404


@pytest.mark.parametrize("name", [MARUF, NURAINI, *OTHER_NAMES])
async def test_a_permit_prints_any_name_a_resident_can_have(
    client: AsyncTestClient[Litestar], database_url: str, name: str
) -> None:
    """Names outside Latin-1 (the apostrophe phones type, diacritics, other scripts) are printed
    with the font the package ships, for the holder and for the agency."""
    applicant, officer, application_id, _ = await issued_permit(client, database_url, name)
    for who in (applicant, officer):
        downloaded = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=who)
        assert downloaded.status_code == 200, downloaded.text
        [page] = PdfReader(io.BytesIO(downloaded.content)).pages
        text = page.extract_text()
        # pypdf gives right-to-left script in the order it is drawn.
        assert name in text or name[::-1] in text, text


async def test_a_permit_prints_whatever_the_database_holds(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    """A name stored before the text rules, with control characters and an override, is printed
    with those characters replaced, never a 500."""
    applicant, _officer, application_id, _ = await issued_permit(client, database_url)
    await db.execute("UPDATE permits.issued SET holder_name = $1", "Siti\x0b Ami\x1bnah\u202e\n\ufffe")
    # The title a letter prints is its version's (permit types are service definitions).
    await db.execute(
        "UPDATE permits.definition_versions SET body = jsonb_set(body, '{letter,title,id}', to_jsonb($1::text))",
        "Izin\x17 Usaha",
    )
    downloaded = await client.get(f"/v1/permits/applications/{application_id}/permit.pdf", headers=applicant)
    assert downloaded.status_code == 200, downloaded.text
    reader = PdfReader(io.BytesIO(downloaded.content))
    text = reader.pages[0].extract_text()
    assert "Siti\ufffd Ami\ufffdnah\ufffd" in text
    assert "IZIN\ufffd USAHA" in text
    assert reader.metadata is not None
    assert "\x17" not in str(reader.metadata.title)


async def test_verification_of_expired_revoked_and_unknown_permits(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    _, officer, application_id, _ = await issued_permit(client, database_url)
    code = await db.fetchval("SELECT verification_code FROM permits.issued")
    await db.execute("UPDATE permits.issued SET expires_at = now() - interval '1 day'")
    assert (await client.get(f"/v1/permits/verify/{code}")).json()["status"] == "expired"
    await db.execute("UPDATE permits.issued SET expires_at = now() + interval '1 day'")
    assert (
        await client.post(f"/v1/permits/applications/{application_id}/revoke", json={}, headers=officer)
    ).status_code == 422
    revoked = await client.post(
        f"/v1/permits/applications/{application_id}/revoke", json={"reason": "Usaha sudah tutup."}, headers=officer
    )
    assert revoked.json()["status"] == "revoked"
    assert (await client.get(f"/v1/permits/verify/{code}")).json()["status"] == "revoked"
    # A revoked permit will not expire: its reminder is gone, and nothing will be pushed.
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE template = 'permits.expiring'") == 0
    assert (await client.get("/v1/permits/verify/AAAAAAAAAAAAAAAA")).status_code == 404


async def test_admins_add_change_and_close_permit_types(client: AsyncTestClient[Litestar], database_url: str) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    new: dict[str, Any] = {
        "code": "fishing_boat",
        "title": {"id": "Surat Keterangan Kapal Nelayan", "en": "Fishing boat certificate"},
        "description": {
            "id": "Keterangan kepemilikan kapal nelayan kecil.",
            "en": "Ownership of a small fishing boat.",
        },
        "opd_code": "DPMPTSP",
        "sla_days": 4,
        "validity_days": 730,
        "number_prefix": "SKKN",
        "fields": [
            {"code": "boat_name", "datatype": "string", "required": True, "description": {"id": "Nama", "en": "Name"}}
        ],
        "documents": [{"code": "id_card", "title": {"id": "KTP-el", "en": "ID card"}, "kinds": ["pdf", "image"]}],
    }
    assert (await client.post("/v1/permits/types", json=new, headers=officer)).status_code == 403
    created = await client.post("/v1/permits/types", json=new, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["number_prefix"], created.json()["needs_supervisor"]) == ("SKKN", False)
    again = await client.post("/v1/permits/types", json=new, headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "permits_type_exists")

    # Every problem of a definition at once.
    broken = {
        **new,
        "code": "broken",
        "opd_code": "NOPE",
        "fields": [{**new["fields"][0], "datatype": "singlevaluelist"}, new["fields"][0]],
        "documents": [new["documents"][0], {**new["documents"][0], "kinds": ["pdf", "pdf"]}],
    }
    refused = await client.post("/v1/permits/types", json=broken, headers=admin)
    assert refused.status_code == 422
    assert sorted(error["field"] for error in refused.json()["errors"]) == [
        "documents[1].code",
        "documents[1].kinds",
        "fields[0].values",
        "fields[1].code",
        "opd_code",
    ]
    no_kinds = await client.post(
        "/v1/permits/types",
        json={**new, "code": "no_kinds", "documents": [{**new["documents"][0], "kinds": []}]},
        headers=admin,
    )
    assert no_kinds.status_code == 422
    for immutable in ({"number_prefix": "ABC"}, {"code": "other"}):
        assert (await client.patch("/v1/permits/types/fishing_boat", json=immutable, headers=admin)).status_code == 422

    # A resident applies; the agency changes; the type closes: the draft cannot be submitted,
    # the application already submitted keeps going.
    applicant = await resident(client)
    # A permit is issued only to a holder with a real name (tests/test_permit_shapes.py).
    assert (await client.patch("/v1/me", json={"name": "Sri Wahyuni"}, headers=applicant)).status_code == 200
    submitted_id, waiting_id = (
        await draft(client, applicant, "fishing_boat"),
        await draft(client, applicant, "fishing_boat"),
    )
    for application_id in (submitted_id, waiting_id):
        await client.patch(
            f"/v1/permits/applications/{application_id}",
            json={"answers": {"boat_name": "Sri Rezeki"}},
            headers=applicant,
        )
        assert (await attach(client, applicant, application_id, "id_card")).status_code == 200
    changed = await client.patch(
        "/v1/permits/types/fishing_boat", json={"opd_code": "DISKOMINFOSATIK", "sla_days": 2}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["opd_code"], changed.json()["sla_days"]) == ("DISKOMINFOSATIK", 2)
    submitted = await client.post(f"/v1/permits/applications/{submitted_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    case = (await client.get(f"/v1/cases/{submitted.json()['case_id']}", headers=applicant)).json()
    assert case["opd_code"] == "DISKOMINFOSATIK"

    closed = await client.patch("/v1/permits/types/fishing_boat", json={"is_active": False}, headers=admin)
    assert closed.json()["is_active"] is False
    assert "fishing_boat" not in [item["code"] for item in (await client.get("/v1/permits/types")).json()["items"]]
    late = await client.post(f"/v1/permits/applications/{waiting_id}/submit", headers=applicant)
    assert (late.status_code, late.json()["code"]) == (409, "permits_type_closed")
    new_draft = await client.post("/v1/permits/applications", json={"type_code": "fishing_boat"}, headers=applicant)
    assert [error["field"] for error in new_draft.json()["errors"]] == ["type_code"]
    staff = await signed_in_staff(client, database_url, "officer", "DISKOMINFOSATIK")
    await client.post(
        f"/v1/cases/{submitted.json()['case_id']}/actions/start_review", headers={**staff, "If-Match": "*"}
    )
    approved = await client.post(f"/v1/permits/applications/{submitted_id}/approve", headers=staff)
    assert approved.json()["status"] == "approved", approved.text
    issued = await client.post(f"/v1/permits/applications/{submitted_id}/issue", headers=staff)
    assert issued.status_code == 200, issued.text
    assert (await client.patch("/v1/permits/types/nope", json={}, headers=admin)).status_code == 404


async def test_my_applications_come_a_page_at_a_time(client: AsyncTestClient[Litestar]) -> None:
    applicant, other = await resident(client), await resident(client)
    made = [await draft(client, applicant) for _ in range(3)]
    theirs = await draft(client, other)
    first = await client.get("/v1/permits/applications", params={"limit": 2}, headers=applicant)
    assert first.status_code == 200, first.text
    assert first.json()["next_cursor"]
    cursor = first.json()["next_cursor"]
    second = await client.get("/v1/permits/applications", params={"limit": 2, "cursor": cursor}, headers=applicant)
    assert second.status_code == 200, second.text
    assert second.json()["next_cursor"] is None
    pages = [item["id"] for item in first.json()["items"]] + [item["id"] for item in second.json()["items"]]
    # Two pages, newest first, each application once, none of the other resident's.
    assert pages == list(reversed(made))
    assert theirs not in pages
    # A cursor belongs to the list it came from: another resident's list refuses it.
    foreign = await client.get("/v1/permits/applications", params={"cursor": cursor}, headers=other)
    assert foreign.status_code == 422
    assert [error["field"] for error in foreign.json()["errors"]] == ["cursor"]
    whole = (await client.get("/v1/permits/applications", headers=other)).json()
    assert ([item["id"] for item in whole["items"]], whole["next_cursor"]) == ([theirs], None)
