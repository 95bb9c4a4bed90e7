"""Issue 22: an officer works a day from the inbox knowing nothing but their credentials, and a
resident's app goes from an inbox item to the right screen, each following only the fields the
answers carry (the case's `module_object`, the inbox item's `target`), over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from tests.support.accounts import bearer, create_staff, resident_tokens, staff_tokens
from tests.support.complaints_app import modules_app
from tests.support.pdfs import catalog, plain_pdf
from tests.support.permit_flow import attach_documents_and_submit

LETTER = plain_pdf(catalog())


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = modules_app(database_url, tmp_path, complaints_module(), permits_module())
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def resident(client: Any) -> dict[str, str]:
    return bearer(await resident_tokens(client, f"+62817{uuid.uuid4().int % 10**8:08d}"))


async def crowd_event_application(client: Any, applicant: dict[str, str]) -> dict[str, Any]:
    """A crowd event permit application (Satpol PP's), submitted: what the resident's app sends."""
    created = await client.post("/v1/permits/applications", json={"type_code": "crowd_event"}, headers=applicant)
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    answers = {"event_name": "Pentas seni desa", "starts": "2026-12-20T19:00:00+07:00", "attendees": 300}
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}", json={"answers": answers}, headers=applicant
    )
    assert answered.status_code == 200, answered.text
    return await attach_documents_and_submit(client, applicant, application_id, ("id_card", "village_letter"))


async def public_order_complaint(client: Any, reporter: dict[str, str]) -> dict[str, Any]:
    filed = await client.post(
        "/v1/complaints",
        json={
            "category": "public_order",
            "description": "Pedagang menutup trotoar di depan pasar setiap sore.",
            "latitude": -6.05,
            "longitude": 106.1,
            "district_code": "36.04.05",
        },
        headers=reporter,
    )
    assert filed.status_code == 201, filed.text
    complaint: dict[str, Any] = filed.json()
    return complaint


async def test_an_officer_works_from_the_inbox_knowing_only_their_credentials(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    application = await crowd_event_application(client, await resident(client))
    complaint = await public_order_complaint(client, await resident(client))

    # The officer's account exists; everything else they learn from the answers.
    email = f"officer-{uuid.uuid4().hex[:8]}@serangkab.go.id"
    await create_staff(database_url, email, "officer", "SATPOLPP")
    officer = bearer(await staff_tokens(client, email))
    me = await client.get("/v1/staff/me", headers={**officer, "Accept-Language": "en"})
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "officer"
    assert me.json()["agency"]["code"] == "SATPOLPP"
    assert me.json()["name"] == "Staf Uji"
    assert me.json()["locale"] == "en"
    my_id = me.json()["id"]

    inbox = await client.get("/v1/staff/cases", headers=officer)
    assert inbox.status_code == 200, inbox.text
    items = {item["module"]: item for item in inbox.json()["items"]}
    assert set(items) == {"permits", "complaints"}
    permit_item, complaint_item = items["permits"], items["complaints"]
    assert permit_item["module_object"]["kind"] == "application"
    assert complaint_item["module_object"]["kind"] == "complaint"

    # The complaint opens from the path its inbox item names.
    opened_complaint = await client.get(complaint_item["module_object"]["path"], headers=officer)
    assert opened_complaint.status_code == 200, opened_complaint.text
    assert opened_complaint.json()["reference"] == complaint_item["reference"] == complaint["reference"]

    # So does the permit application, and its id is the one the case names.
    application_path = permit_item["module_object"]["path"]
    opened_application = await client.get(application_path, headers=officer)
    assert opened_application.status_code == 200, opened_application.text
    assert opened_application.json()["id"] == permit_item["module_object"]["id"] == application["id"]
    assert opened_application.json()["reference"] == permit_item["reference"]

    # The officer takes the case (their own id from /v1/staff/me), starts the review through an
    # action the case offers, then asks for a revision through the application's own route.
    taken = await client.post(
        f"/v1/staff/cases/{permit_item['id']}/assign", json={"assignee_id": my_id}, headers=officer
    )
    assert taken.status_code == 200, taken.text
    case = (await client.get(f"/v1/cases/{permit_item['id']}", headers=officer)).json()
    assert case["module_object"] == permit_item["module_object"]
    assert "start_review" in [action["action"] for action in case["allowed_actions"]]
    started = await client.post(
        f"/v1/cases/{permit_item['id']}/actions/start_review", headers={**officer, "If-Match": f'"{case["version"]}"'}
    )
    assert started.status_code == 200, started.text
    revision = await client.post(
        f"{application_path}/revision",
        json={"note": "Lampirkan surat desa yang sudah ditandatangani.", "fields": [], "documents": ["village_letter"]},
        headers=officer,
    )
    assert revision.status_code == 200, revision.text
    assert revision.json()["status"] == "revision_requested"

    # A case the resident quotes by its reference number is found.
    by_reference = await client.get(f"/v1/cases/by-reference/{complaint['reference']}", headers=officer)
    assert by_reference.status_code == 200, by_reference.text
    assert by_reference.json()["id"] == complaint_item["id"]
    assert by_reference.json()["module_object"] == complaint_item["module_object"]
    lower_case = await client.get(f"/v1/cases/by-reference/{complaint['reference'].lower()}", headers=officer)
    assert lower_case.json()["id"] == complaint_item["id"]


async def test_a_residents_app_goes_from_an_inbox_item_to_the_right_screen(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant = await resident(client)
    application = await crowd_event_application(client, applicant)
    email = f"officer-{uuid.uuid4().hex[:8]}@serangkab.go.id"
    await create_staff(database_url, email, "officer", "SATPOLPP")
    officer = bearer(await staff_tokens(client, email))
    started = await client.post(
        f"/v1/cases/{application['case_id']}/actions/start_review", headers={**officer, "If-Match": "*"}
    )
    assert started.status_code == 200, started.text

    # The resident's own list carries the object too.
    mine = (await client.get("/v1/me/cases", headers=applicant)).json()["items"]
    assert mine[0]["module_object"]["id"] == application["id"]

    # In the resident's language (Indonesian unless they chose English).
    inbox = await client.get("/v1/me/notifications", headers=applicant)
    assert inbox.status_code == 200, inbox.text
    item = inbox.json()["items"][0]
    assert item["kind"] == "permits.in_review"
    assert item["title"] == "Perizinan"  # the service's title
    assert item["status"] == "in_review"
    assert item["status_title"] == "Diperiksa"
    assert item["phase"] == "in_progress"
    assert item["reference"] == application["reference"]
    assert item["message"]  # the rendered body, as before
    target = item["target"]
    assert target["screen"] == "case"
    assert target["case_id"] == application["case_id"]

    case = await client.get(target["case_path"], headers=applicant)
    assert case.status_code == 200, case.text
    assert case.json()["status"] == "in_review"
    assert case.json()["reference"] == item["reference"]
    screen = await client.get(target["module_object"]["path"], headers=applicant)
    assert screen.status_code == 200, screen.text
    assert screen.json()["id"] == application["id"]
    assert screen.json()["status"] == "in_review"
