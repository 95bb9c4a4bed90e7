"""A database with something of everything, made through the app's HTTP API as phones and staff
would: residents with names and NIKs, a case of each built-in module with photos and documents
in the object store, and the notifications their steps sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from serang_app.cases.calendar import JAKARTA
from serang_app.modules.appointments.timetable import public_holiday
from tests.support.accounts import bearer, create_staff, resident_tokens, staff_tokens
from tests.support.complaints_app import pothole_report
from tests.support.pdfs import catalog, plain_pdf
from tests.support.permit_flow import attach_documents
from tests.support.uploading import photo_with_gps, upload

PDF = "application/pdf"
# A real one-page PDF: completion reads every object (docs/uploads.md, active PDFs).
LETTER = plain_pdf(catalog())
EVERY_DAY = [{"weekday": weekday, "opens": "08:00", "closes": "16:00"} for weekday in range(7)]


@dataclass(frozen=True)
class Population:
    """What a test needs to find it again: the accounts to sign in with and what they made."""

    complainant_refresh_token: str
    complainant_nik: str
    complaint_case_id: str
    photo_id: str
    permit_application_id: str
    officer_email: str
    permits_officer_email: str


async def populate(client: Any, database_url: str) -> Population:
    suffix = uuid.uuid4().hex[:8]
    officer_email = f"petugas-{suffix}@serangkab.go.id"
    permits_officer_email = f"perizinan-{suffix}@serangkab.go.id"
    admin_email = f"admin-{suffix}@serangkab.go.id"
    await create_staff(database_url, officer_email, "officer", "DPUPR")
    await create_staff(database_url, permits_officer_email, "officer", "DPMPTSP")
    await create_staff(database_url, admin_email, "admin", None)
    officer = bearer(await staff_tokens(client, officer_email))

    # Complaints: a photo, filed, verified and started by the agency (two notifications).
    nik = "3604051705900001"
    complainant_tokens = await _resident(client, "Siti Aminah", nik)
    complainant = bearer(complainant_tokens)
    photo_id, completed = await upload(client, complainant, photo_with_gps())
    assert completed.status_code == 200, completed.text
    filed = await client.post(
        "/v1/complaints",
        json=pothole_report(photo_id),
        headers=complainant,
    )
    assert filed.status_code == 201, filed.text
    case_id = filed.json()["case_id"]
    for action in ("verify", "start_work"):
        acted = await client.post(f"/v1/cases/{case_id}/actions/{action}", headers={**officer, "If-Match": "*"})
        assert acted.status_code == 200, acted.text

    # Permits: two documents, submitted, taken into review (a notification).
    applicant = bearer(await _resident(client, "Ma'ruf Hidayat", "3604064708920012"))
    created = await client.post(
        "/v1/permits/applications", json={"type_code": "business_certificate"}, headers=applicant
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    await attach_documents(client, applicant, application_id, ("family_card", "id_card"), LETTER)
    answers = {"business_name": "Warung Sate Bu Ijah", "business_kind": "food"}
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}", json={"answers": answers}, headers=applicant
    )
    assert answered.status_code == 200, answered.text
    submitted = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    permits_officer = bearer(await staff_tokens(client, permits_officer_email))
    reviewed = await client.post(
        f"/v1/cases/{submitted.json()['case_id']}/actions/start_review", headers={**permits_officer, "If-Match": "*"}
    )
    assert reviewed.status_code == 200, reviewed.text

    # Appointments: a place with a schedule, and a booking (its case) on an ordinary day.
    await _book_an_appointment(client, bearer(await staff_tokens(client, admin_email)), suffix)

    return Population(
        complainant_refresh_token=complainant_tokens["refresh_token"],
        complainant_nik=nik,
        complaint_case_id=case_id,
        photo_id=photo_id,
        permit_application_id=application_id,
        officer_email=officer_email,
        permits_officer_email=permits_officer_email,
    )


async def _resident(client: Any, name: str, nik: str) -> dict[str, Any]:
    tokens = await resident_tokens(client, f"+62817{uuid.uuid4().int % 10**8:08d}")
    profile = await client.patch("/v1/me", json={"name": name, "nik": nik}, headers=bearer(tokens))
    assert profile.status_code == 200, profile.text
    return tokens


async def _book_an_appointment(client: Any, admin: dict[str, str], suffix: str) -> None:
    place = f"backup_{suffix}"
    created = await client.put(
        f"/v1/appointments/places/{place}",
        json={
            "name": "Kantor Uji",
            "address": "Jl. Uji 1, Ciruas",
            "district_code": "36.04.09",
            "latitude": -6.12,
            "longitude": 106.23,
        },
        headers=admin,
    )
    assert created.status_code == 200, created.text
    schedule = {"hours": EVERY_DAY, "slot_minutes": 30, "capacity": 4, "walk_in_percent": 25, "horizon_days": 14}
    saved = await client.put(f"/v1/appointments/places/{place}/schedules/ktp_recording", json=schedule, headers=admin)
    assert saved.status_code == 200, saved.text
    day = _ordinary_day(datetime.now(JAKARTA).date() + timedelta(days=2))
    starts_at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=JAKARTA)
    visitor = bearer(await _resident(client, "Nuraini", "3604057112990001"))
    booked = await client.post(
        "/v1/appointments",
        json={"service_code": "ktp_recording", "place_code": place, "starts_at": starts_at.isoformat()},
        headers=visitor,
    )
    assert booked.status_code == 201, booked.text


def _ordinary_day(after: date) -> date:
    """The first day from `after` on that is no public holiday, nor the next day."""
    day = after
    while public_holiday(day) or public_holiday(day + timedelta(days=1)):
        day += timedelta(days=1)
    return day
