"""A business-certificate application taken through the permits API step by step, for tests that
look at what the answers carry rather than at the flow itself."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.pdfs import catalog, plain_pdf
from tests.support.uploading import upload

LETTER = plain_pdf(catalog())


async def new_applicant(client: Any, name: str | None) -> dict[str, str]:
    applicant = bearer(await resident_tokens(client, f"+62816{uuid.uuid4().int % 10**8:08d}"))
    if name is not None:
        named = await client.patch("/v1/me", json={"name": name}, headers=applicant)
        assert named.status_code == 200, named.text
    return applicant


async def attach_documents(
    client: Any, applicant: dict[str, str], application_id: str, codes: Sequence[str], document: bytes = LETTER
) -> None:
    """Each required document in `codes` answered with a new completed PDF upload of the applicant's."""
    for code in codes:
        upload_id, completed = await upload(client, applicant, document, "application/pdf", "permit_document")
        assert completed.status_code == 200, completed.text
        attached = await client.put(
            f"/v1/permits/applications/{application_id}/documents/{code}",
            json={"upload_id": upload_id},
            headers=applicant,
        )
        assert attached.status_code == 200, attached.text


async def attach_documents_and_submit(
    client: Any, applicant: dict[str, str], application_id: str, codes: Sequence[str]
) -> dict[str, Any]:
    """The documents in `codes` attached, then the application submitted: the answer's body."""
    await attach_documents(client, applicant, application_id, codes)
    submitted = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    application: dict[str, Any] = submitted.json()
    return application


async def crowd_event_application(client: Any, applicant: dict[str, str]) -> dict[str, Any]:
    """A crowd event permit application (Satpol PP's), submitted as the resident's app sends it:
    the answer's body."""
    created = await client.post("/v1/permits/applications", json={"type_code": "crowd_event"}, headers=applicant)
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    answers = {"event_name": "Pentas seni desa", "starts": "2026-12-20T19:00:00+07:00", "attendees": 300}
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}", json={"answers": answers}, headers=applicant
    )
    assert answered.status_code == 200, answered.text
    return await attach_documents_and_submit(client, applicant, application_id, ("id_card", "village_letter"))


async def submitted_application(client: Any, applicant: dict[str, str]) -> tuple[str, str]:
    """A complete business certificate, submitted: (application id, case id)."""
    created = await client.post(
        "/v1/permits/applications", json={"type_code": "business_certificate"}, headers=applicant
    )
    assert created.status_code == 201, created.text
    application_id: str = created.json()["id"]
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_name": "Warung Siti", "business_kind": "food"}},
        headers=applicant,
    )
    assert answered.status_code == 200, answered.text
    submitted = await attach_documents_and_submit(client, applicant, application_id, ("id_card", "family_card"))
    case_id: str = submitted["case_id"]
    return application_id, case_id


async def approved_application(
    client: Any, database_url: str, applicant: dict[str, str]
) -> tuple[str, str, dict[str, str]]:
    """Submitted, reviewed and approved by an officer of DPMPTSP: (application, case, officer)."""
    application_id, case_id = await submitted_application(client, applicant)
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    started = await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    assert started.status_code == 200, started.text
    approved = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
    assert approved.status_code == 200, approved.text
    return application_id, case_id, officer


async def issued_permit(client: Any, database_url: str, name: str) -> tuple[dict[str, str], str, dict[str, Any]]:
    """An issued business certificate of a resident named `name`: (applicant, application, answer)."""
    applicant = await new_applicant(client, name)
    application_id, _case_id, officer = await approved_application(client, database_url, applicant)
    issued = await client.post(f"/v1/permits/applications/{application_id}/issue", headers=officer)
    assert issued.status_code == 200, issued.text
    answer: dict[str, Any] = issued.json()
    return applicant, application_id, answer
