"""A service ending with an appointment (issue 23), end to end as a resident's app would go: the
shipped KTP-el first recording is imported (its appointments service checked through the core,
never the appointments schema), applied for, approved, and the application names where to book;
the resident books there through the appointments module's own routes. A definition naming a
service nobody can book, or saved where the appointments module is not installed, is refused
naming the module."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.api import JAKARTA
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.appointments import appointments_module
from serang_app.modules.permits import permits_module
from serang_app.modules.permits.seeds import SEEDS_FOLDER
from tests.conftest import app_for
from tests.modules.appointments.test_appointments import new_place
from tests.support.accounts import resident, signed_in_staff
from tests.support.permit_flow import attach_documents

KTP = json.loads((SEEDS_FOLDER / "disdukcapil_ktp_first_recording.json").read_text(encoding="utf-8"))
CODE = KTP["code"]
NIK = "3604051708090001"


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [appointments_module(), permits_module()]


def renamed(service: str) -> dict[str, Any]:
    """The KTP definition under another code, its appointment naming `service`."""
    return {**KTP, "code": "ktp_elsewhere", "appointment": {"service": service}}


async def first_free_slot(client: AsyncTestClient[Litestar], slots_path: str, place: str) -> str:
    """The first slot the app may book over the coming week (the clock is the real one)."""
    first = datetime.now(JAKARTA).date() + timedelta(days=1)
    # The link holds the service; the app adds the place and the days to its query.
    days = urlencode({"place": place, "from": first.isoformat(), "to": (first + timedelta(days=7)).isoformat()})
    listed = await client.get(f"{slots_path}&{days}")
    assert listed.status_code == 200, listed.text
    starts: str = next(item["starts_at"] for item in listed.json()["items"] if item["bookable"])
    return starts


async def test_an_approved_application_names_where_to_book_and_the_resident_books_there(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", KTP["agency"])
    imported = await client.post("/v1/permits/definitions/import", json=KTP, headers=admin)
    assert imported.status_code == 200, imported.text
    place = await new_place(client, database_url)

    applicant = await resident(client)
    named = await client.patch("/v1/me", json={"name": "Dewi Lestari", "nik": NIK}, headers=applicant)
    assert named.status_code == 200, named.text
    draft = await client.post("/v1/permits/applications", json={"type_code": CODE}, headers=applicant)
    application_id = draft.json()["id"]
    answers = {"basis": "age_17", "family_card_number": "3604050101090001", "special_need": "none"}
    await client.patch(f"/v1/permits/applications/{application_id}", json={"answers": answers}, headers=applicant)
    await attach_documents(client, applicant, application_id, ["family_card"])
    submitted = await client.post(f"/v1/permits/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["appointment_booking"] is None  # not before approval
    case_id = submitted.json()["case_id"]
    await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    approved = await client.post(f"/v1/permits/applications/{application_id}/approve", headers=officer)
    assert approved.status_code == 200, approved.text

    # The app follows the application (reached from the case's module_object) to the booking.
    case = (await client.get(f"/v1/cases/{case_id}", headers=applicant)).json()
    followed = await client.get(case["module_object"]["path"], headers=applicant)
    booking_at = followed.json()["appointment_booking"]
    assert booking_at == {
        "service": "ktp_recording",
        "places": "/v1/appointments/places",
        "slots": "/v1/appointments/slots?service=ktp_recording",
        "book": "/v1/appointments",
    }
    places = (await client.get(booking_at["places"])).json()["items"]
    assert place in [item["code"] for item in places if booking_at["service"] in item["services"]]
    starts_at = await first_free_slot(client, booking_at["slots"], place)
    booked = await client.post(
        booking_at["book"],
        json={"service_code": booking_at["service"], "place_code": place, "starts_at": starts_at},
        headers={**applicant, "Idempotency-Key": f"ktp-{application_id}"},
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["service_code"] == "ktp_recording"
    # Another resident is not told where to book someone else's recording.
    other = await resident(client)
    assert (await client.get(f"/v1/permits/applications/{application_id}", headers=other)).status_code == 404


async def test_a_definition_must_name_a_service_residents_can_book(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    unknown = await client.post("/v1/permits/definitions/import", json=renamed("ktp_nothing"), headers=admin)
    assert unknown.status_code == 422, unknown.text
    [problem] = unknown.json()["errors"]
    assert problem["field"] == "appointment.service"
    assert "ktp_nothing" in problem["message"]

    # Closing the appointments service closes it to new definitions too (the admin's PUT offers it).
    services = (await client.get("/v1/appointments/services")).json()["items"]
    ktp = next(service for service in services if service["code"] == "ktp_recording")
    closed = {key: ktp[key] for key in ("title", "documents", "opd_code", "duration_minutes", "sort_order")}
    saved = await client.put(
        "/v1/appointments/services/ktp_recording", json={**closed, "is_active": False}, headers=admin
    )
    assert saved.status_code == 200, saved.text
    refused = await client.post("/v1/permits/definitions", json=renamed("ktp_recording"), headers=admin)
    assert refused.status_code == 422, refused.text
    assert [error["field"] for error in refused.json()["errors"]] == ["appointment.service"]


async def test_without_the_appointments_module_an_appointment_is_refused_naming_it(database_url: str) -> None:
    # The same database first ran with the appointments module: its offers are forgotten once the
    # app starts without it.
    async with AsyncTestClient(app_for(database_url, [appointments_module(), permits_module()])):
        pass
    async with AsyncTestClient(app_for(database_url, [permits_module()])) as client:
        admin = await signed_in_staff(client, database_url, "admin", None)
        refused = await client.post("/v1/permits/definitions/import", json=KTP, headers=admin)
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["errors"]
        assert problem["field"] == "appointment.service"
        assert "appointments" in problem["message"]
