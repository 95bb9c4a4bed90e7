"""Who may follow the links issue 22 added (a case by its reference, an application by its case's
id, the staff member's own account), what a push carries for the app, and the check that keeps
a module's declared object path inside its own routes."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.db.pool import Database
from serang_app.module_system.validation import workflow_problems
from serang_app.modules.appointments import appointments_module
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from serang_app.notifications.delivery import Delivery, deliver_due
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.complaints_app import modules_app, public_order_complaint
from tests.support.fake_google import FakeGoogle
from tests.support.permit_flow import crowd_event_application
from tests.support.populated import populate
from tests.support.staff_push import push_delivery


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = modules_app(database_url, tmp_path, complaints_module(), permits_module())
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
def delivery(google: FakeGoogle) -> Iterator[Delivery]:
    with push_delivery(google, [complaints_module(), permits_module()]) as step:
        yield step


async def resident(client: Any) -> dict[str, str]:
    return bearer(await resident_tokens(client, f"+62819{uuid.uuid4().int % 10**8:08d}"))


async def test_a_case_by_its_reference_is_shown_only_to_whoever_may_see_it(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    reporter = await resident(client)
    complaint = await public_order_complaint(client, reporter)
    reference = complaint["reference"]
    own = await client.get(f"/v1/cases/by-reference/{reference}", headers=reporter)
    assert own.status_code == 200, own.text
    assert own.json()["module_object"]["path"] == f"/v1/complaints/{own.json()['id']}"

    someone_else = await client.get(f"/v1/cases/by-reference/{reference}", headers=await resident(client))
    other_agency = await signed_in_staff(client, database_url, "officer", "DINKES")
    not_theirs = await client.get(f"/v1/cases/by-reference/{reference}", headers=other_agency)
    unknown = await client.get("/v1/cases/by-reference/ADU-2601-999999", headers=reporter)
    # The same answer whether the case exists or not: references cannot be probed.
    assert someone_else.status_code == not_theirs.status_code == unknown.status_code == 404
    assert someone_else.json()["title"] == unknown.json()["title"]
    assert (await client.get(f"/v1/cases/by-reference/{reference}")).status_code == 401
    malformed = await client.get("/v1/cases/by-reference/ADU-1'--", headers=reporter)
    assert malformed.status_code in (400, 404, 422)


async def test_an_application_by_its_case_id_is_read_and_reviewed_only_by_its_agency(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant = await resident(client)
    application = await crowd_event_application(client, applicant)
    by_case = f"/v1/permits/applications/{application['case_id']}"
    assert (await client.get(by_case, headers=applicant)).json()["id"] == application["id"]

    other_agency = await signed_in_staff(client, database_url, "officer", "DINKES")
    stranger = await resident(client)
    for caller in (other_agency, stranger):
        assert (await client.get(by_case, headers=caller)).status_code == 404
        assert (await client.get(f"{by_case}/permit.pdf", headers=caller)).status_code == 404
    revision = {"note": "Lengkapi.", "fields": ["attendees"], "documents": []}
    assert (await client.post(f"{by_case}/revision", json=revision, headers=other_agency)).status_code == 404
    # Staff of the agency reach it, and review it, by the case id alone.
    officer = await signed_in_staff(client, database_url, "officer", "SATPOLPP")
    assert (await client.get(by_case, headers=officer)).json()["id"] == application["id"]
    started = await client.post(
        f"/v1/cases/{application['case_id']}/actions/start_review", headers={**officer, "If-Match": "*"}
    )
    assert started.status_code == 200, started.text
    asked = await client.post(f"{by_case}/revision", json=revision, headers=officer)
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "revision_requested"
    # An unknown id is 404 as before.
    assert (await client.get(f"/v1/permits/applications/{uuid.uuid4()}", headers=officer)).status_code == 404


async def test_staff_me_is_for_signed_in_staff_only(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    assert (await client.get("/v1/staff/me")).status_code == 401
    assert (await client.get("/v1/staff/me", headers=await resident(client))).status_code == 403
    admin = await signed_in_staff(client, database_url, "admin", "DISKOMINFOSATIK")
    answer = await client.get("/v1/staff/me", headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["role"] == "admin"
    assert answer.json()["agency"]["code"] == "DISKOMINFOSATIK"
    assert answer.json()["locale"] == "id"
    # Only what the app shows: never the e-mail address or anything about the password.
    assert set(answer.json()) == {"id", "name", "role", "agency", "locale"}
    await db.execute("UPDATE staff SET is_active = false WHERE id = $1", uuid.UUID(answer.json()["id"]))
    assert (await client.get("/v1/staff/me", headers=admin)).status_code == 401


async def test_a_push_carries_what_the_inbox_item_carries(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
) -> None:
    applicant = await resident(client)
    registration = {"fcm_token": "fcm-token-links-aaaaaaaaaaaa", "platform": "android", "app_version": "1.0.0"}
    assert (await client.put("/v1/me/devices/install-links", json=registration, headers=applicant)).status_code == 200
    application = await crowd_event_application(client, applicant)
    officer = await signed_in_staff(client, database_url, "officer", "SATPOLPP")
    started = await client.post(
        f"/v1/cases/{application['case_id']}/actions/start_review", headers={**officer, "If-Match": "*"}
    )
    assert started.status_code == 200, started.text
    item = (await client.get("/v1/me/notifications", headers=applicant)).json()["items"][0]

    assert await deliver_due(app_database, delivery) == 1
    [message] = google.fcm_sent
    assert message["data"] == {
        "notification_id": item["id"],
        "case_id": application["case_id"],
        "kind": "permits.in_review",
        "reference": application["reference"],
        "status": "in_review",
        "phase": "in_progress",
        "screen": "case",
        "object_kind": "application",
        "object_id": application["id"],
        "object_path": item["target"]["module_object"]["path"],
    }


def test_a_module_declares_its_object_under_its_own_path() -> None:
    spec = permits_module()
    [workflow] = spec.workflows
    assert workflow_problems(spec) == []

    def problems_with(**changes: Any) -> list[str]:
        changed = dataclasses.replace(workflow, **changes)
        return workflow_problems(dataclasses.replace(spec, workflows=(changed,)))

    assert problems_with(object_path="/v1/complaints/{case_id}") == [
        "workflow 'permit': object_path must be a path under /v1/permits/"
    ]
    assert problems_with(object_path="https://example.com/v1/permits/{object_id}") != []
    assert problems_with(object_path="/v1/permits/applications/{resident_id}") == [
        "workflow 'permit': object_path names ['resident_id']; it may name only {case_id} and {object_id}"
    ]
    assert problems_with(object_path="/v1/permits/../admin/{object_id}") == [
        "workflow 'permit': object_path must be a path under /v1/permits/"
    ]
    assert problems_with(object_path="/v1/permits/applications/{object_id!r}") == [
        "workflow 'permit': object_path must be a path under /v1/permits/"
    ]
    assert problems_with(object_path="/v1/permits/applications/{object_id") == [
        "workflow 'permit': object_path names ['<unbalanced brace>']; it may name only {case_id} and {object_id}"
    ]
    assert problems_with(object_kind=None) == [
        "workflow 'permit': object_kind and object_path are declared together or not at all"
    ]
    assert problems_with(object_kind="Application!") == [
        "workflow 'permit': object_kind must be lowercase letters, digits or underscores"
    ]


async def test_every_built_in_modules_case_leads_to_its_object_by_either_id(
    database_url: str, tmp_path: Path, db: asyncpg.Connection
) -> None:
    app = modules_app(database_url, tmp_path, complaints_module(), permits_module(), appointments_module())
    async with AsyncTestClient(app) as client:
        await populate(client, database_url)
        admin = await signed_in_staff(client, database_url, "admin", None)

        async def inbox() -> dict[str, dict[str, Any]]:
            listed = await client.get("/v1/staff/cases", params={"limit": 50}, headers=admin)
            assert listed.status_code == 200, listed.text
            return {item["module"]: item for item in listed.json()["items"]}

        items = await inbox()
        assert {module: item["module_object"]["kind"] for module, item in items.items()} == {
            "complaints": "complaint",
            "permits": "application",
            "appointments": "booking",
        }
        answers = {}
        for module, item in items.items():
            found = await client.get(item["module_object"]["path"], headers=admin)
            assert found.status_code == 200, (module, found.text)
            answers[module] = found.json()
        assert answers["permits"]["id"] == items["permits"]["module_object"]["id"] != items["permits"]["id"]
        assert answers["appointments"]["id"] == items["appointments"]["module_object"]["id"]

        # A case opened before modules named their objects: the case id stands in, and leads to
        # the same object.
        await db.execute("UPDATE cases SET object_id = NULL")
        for module, item in (await inbox()).items():
            assert item["module_object"]["id"] == item["id"]
            found = await client.get(item["module_object"]["path"], headers=admin)
            assert found.status_code == 200, (module, found.text)
            assert found.json() == answers[module]
