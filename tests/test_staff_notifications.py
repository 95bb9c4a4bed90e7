"""Issue 22: staff hear of their work. An officer's phone registers for push, and a new case in the
agency, a case given to them, a resident's answer and every other staff notification (the overdue
sweep's, written without a push job) reach their inbox and their phones, in their language,
through the residents' delivery step and firebase-admin's real path against the FCM stand-in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.db.pool import Database
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from serang_app.notifications.delivery import Delivery, deliver_due
from serang_app.notifications.staff_devices import MAX_STAFF_DEVICES
from tests.support.accounts import bearer, create_staff, resident_tokens, staff_tokens
from tests.support.complaints_app import modules_app, public_order_complaint
from tests.support.fake_google import FakeGoogle
from tests.support.permit_flow import crowd_event_application
from tests.support.staff_push import push_delivery, pushes_to, register_phone, staff_inbox
from tests.support.worker_steps import run_core_task

# Public order complaints and crowd event permits are Satpol PP's.
AGENCY = "SATPOLPP"


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module(), permits_module()]


@pytest.fixture
async def client(
    database_url: str, tmp_path: Path, modules: list[ModuleSpec]
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(modules_app(database_url, tmp_path, *modules)) as test_client:
        yield test_client


@pytest.fixture
def delivery(google: FakeGoogle, modules: list[ModuleSpec]) -> Iterator[Delivery]:
    with push_delivery(google, modules) as step:
        yield step


async def resident(client: Any) -> dict[str, str]:
    return bearer(await resident_tokens(client, f"+62818{uuid.uuid4().int % 10**8:08d}"))


async def staff_member(client: Any, database_url: str, role: str, agency: str | None = AGENCY) -> dict[str, str]:
    email = f"{role}-{uuid.uuid4().hex[:8]}@serangkab.go.id"
    await create_staff(database_url, email, role, agency)
    return bearer(await staff_tokens(client, email))


async def staff_id(client: Any, headers: dict[str, str]) -> str:
    me = await client.get("/v1/staff/me", headers=headers)
    assert me.status_code == 200, me.text
    found: str = me.json()["id"]
    return found


async def test_an_officer_hears_of_a_new_case_in_the_agency_in_their_language_and_no_one_else_does(
    client: AsyncTestClient[Litestar], database_url: str, app_database: Database, delivery: Delivery, google: FakeGoogle
) -> None:
    officer = await staff_member(client, database_url, "officer")
    await register_phone(client, officer, "fcm-token-officer-satpol-0001")
    elsewhere = await staff_member(client, database_url, "officer", "DPUPR")
    await register_phone(client, elsewhere, "fcm-token-officer-dpupr-00001")

    complaint = await public_order_complaint(client, await resident(client))

    inbox = await staff_inbox(client, officer)
    assert inbox["unread_count"] == 1
    [item] = inbox["items"]
    assert item["kind"] == "case.new"
    assert item["case_id"] == complaint["case_id"]
    assert item["reference"] == complaint["reference"]
    assert item["message"] == f"Permohonan baru {complaint['reference']} masuk ke instansi Anda."
    assert item["status"] == "submitted"
    assert item["read_at"] is None
    # The tap leads to the case as staff work it, and to the complaint, both readable by the officer.
    target = item["target"]
    assert target["screen"] == "staff_case"
    assert target["case_path"] == f"/v1/cases/{complaint['case_id']}"
    assert target["module_object"]["kind"] == "complaint"
    for path in (target["case_path"], target["module_object"]["path"]):
        opened = await client.get(path, headers=officer)
        assert opened.status_code == 200, opened.text

    assert await deliver_due(app_database, delivery) == 1
    [push] = pushes_to(google, "fcm-token-officer-satpol-0001")
    assert push["notification"]["body"] == f"Permohonan baru {complaint['reference']} masuk ke instansi Anda."
    assert push["data"]["notification_id"] == item["id"]
    assert push["data"]["kind"] == "case.new"
    assert push["data"]["screen"] == "staff_case"
    assert push["data"]["object_kind"] == "complaint"
    # Another agency's officer: nothing in the inbox, nothing on the phone.
    assert (await staff_inbox(client, elsewhere))["items"] == []
    assert pushes_to(google, "fcm-token-officer-dpupr-00001") == []

    # The officer switches to English: the next push and the whole inbox speak it.
    switched = await client.patch("/v1/staff/me", json={"locale": "en"}, headers=officer)
    assert switched.status_code == 200, switched.text
    assert switched.json()["locale"] == "en"
    assert (await client.get("/v1/staff/me", headers=officer)).json()["locale"] == "en"
    second = await public_order_complaint(client, await resident(client))
    assert await deliver_due(app_database, delivery) == 1
    latest = pushes_to(google, "fcm-token-officer-satpol-0001")[-1]
    assert latest["notification"]["body"] == f"New case {second['reference']} for your agency."
    assert [entry["message"] for entry in (await staff_inbox(client, officer))["items"]] == [
        f"New case {second['reference']} for your agency.",
        f"New case {complaint['reference']} for your agency.",
    ]


async def test_the_assignee_hears_of_the_assignment_and_of_the_residents_resubmission(
    client: AsyncTestClient[Litestar], database_url: str, app_database: Database, delivery: Delivery, google: FakeGoogle
) -> None:
    applicant = await resident(client)
    application = await crowd_event_application(client, applicant)
    case_id = application["case_id"]
    supervisor = await staff_member(client, database_url, "supervisor")
    officer = await staff_member(client, database_url, "officer")
    await register_phone(client, officer, "fcm-token-assignee-000000001")

    assigned = await client.post(
        f"/v1/staff/cases/{case_id}/assign",
        json={"assignee_id": await staff_id(client, officer)},
        headers=supervisor,
    )
    assert assigned.status_code == 200, assigned.text
    [item] = (await staff_inbox(client, officer))["items"]
    assert (item["kind"], item["case_id"]) == ("case.assigned", case_id)
    assert item["message"] == f"Permohonan {application['reference']} ditugaskan kepada Anda."
    assert item["target"]["module_object"] == {
        "module": "permits",
        "kind": "application",
        "id": application["id"],
        "path": f"/v1/permits/applications/{application['id']}",
    }
    assert await deliver_due(app_database, delivery) == 1
    assert [push["data"]["kind"] for push in pushes_to(google, "fcm-token-assignee-000000001")] == ["case.assigned"]

    # The officer asks for a revision; the resident resubmits; the officer hears.
    started = await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    assert started.status_code == 200, started.text
    asked = await client.post(
        f"/v1/permits/applications/{application['id']}/revision",
        json={"note": "Lampirkan surat desa yang ditandatangani.", "documents": ["village_letter"]},
        headers=officer,
    )
    assert asked.status_code == 200, asked.text
    resubmitted = await client.post(f"/v1/permits/applications/{application['id']}/resubmit", headers=applicant)
    assert resubmitted.status_code == 200, resubmitted.text
    answered = (await staff_inbox(client, officer))["items"][0]
    assert answered["kind"] == "case.resident_answered"
    assert answered["status"] == "in_review"
    assert answered["message"] == (
        f"Pemohon menindaklanjuti permohonan {application['reference']}; statusnya kini: Diperiksa."
    )
    # The applicant's two (in review, revision) and the officer's one.
    assert await deliver_due(app_database, delivery) == 3
    assert [push["data"]["kind"] for push in pushes_to(google, "fcm-token-assignee-000000001")] == [
        "case.assigned",
        "case.resident_answered",
    ]
    # The supervisor, who assigned it, is told nothing.
    assert [entry["kind"] for entry in (await staff_inbox(client, supervisor))["items"]] == []


async def test_an_officer_who_takes_a_case_is_not_told_so_and_the_last_to_act_hears_an_answer(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    officer = await staff_member(client, database_url, "officer")
    reporter = await resident(client)
    complaint = await public_order_complaint(client, reporter)
    case_id = complaint["case_id"]
    taken = await client.post(
        f"/v1/staff/cases/{case_id}/assign", json={"assignee_id": await staff_id(client, officer)}, headers=officer
    )
    assert taken.status_code == 200, taken.text
    assert [item["kind"] for item in (await staff_inbox(client, officer))["items"]] == ["case.new"]
    # Back to the pool; the officer asks the reporter, who answers: nobody holds the case, so the
    # officer who asked hears.
    released = await client.post(f"/v1/staff/cases/{case_id}/assign", json={"assignee_id": None}, headers=officer)
    assert released.status_code == 200, released.text
    for action, body in (("verify", {}), ("ask_resident", {"note": "Jam berapa biasanya?"})):
        moved = await client.post(
            f"/v1/cases/{case_id}/actions/{action}", json=body, headers={**officer, "If-Match": "*"}
        )
        assert moved.status_code == 200, moved.text
    answer = await client.post(
        f"/v1/cases/{case_id}/actions/answer",
        json={"note": "Setiap sore jam empat."},
        headers={**reporter, "If-Match": "*"},
    )
    assert answer.status_code == 200, answer.text
    kinds = [item["kind"] for item in (await staff_inbox(client, officer))["items"]]
    assert kinds == ["case.resident_answered", "case.new"]


async def test_every_staff_row_is_delivered_whoever_wrote_it(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    complaint = await public_order_complaint(client, await resident(client))
    supervisor = await staff_member(client, database_url, "supervisor")
    await register_phone(client, supervisor, "fcm-token-supervisor-0000001")
    assert (await client.patch("/v1/staff/me", json={"locale": "en"}, headers=supervisor)).status_code == 200
    supervisor_id = uuid.UUID(await staff_id(client, supervisor))
    # As cases/overdue.py writes it: the notification alone, no push job, in one statement; and a
    # module's template the same way.
    await db.execute(
        """WITH marked AS (SELECT id, reference, opd_code FROM cases WHERE id = $1)
           INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
           SELECT 'staff', s.id, m.id, 'core', 'case.overdue', jsonb_build_object('reference', m.reference)
           FROM marked m JOIN staff s ON s.opd_code = m.opd_code AND s.role = 'supervisor' AND s.is_active""",
        uuid.UUID(complaint["case_id"]),
    )
    await db.execute(
        """INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
           VALUES ('staff', $1, $2, 'complaints', 'complaints.verified', jsonb_build_object('reference', $3::text))""",
        supervisor_id,
        uuid.UUID(complaint["case_id"]),
        complaint["reference"],
    )
    # A writer that queues the job itself is not in the way.
    await db.execute(
        """WITH n AS (INSERT INTO notifications (recipient_kind, recipient_id, source, template)
                      VALUES ('staff', $1, 'core', 'case.overdue') RETURNING id)
           INSERT INTO push_jobs (notification_id) SELECT id FROM n""",
        supervisor_id,
    )

    assert await deliver_due(app_database, delivery) == 3
    bodies = sorted(push["notification"]["body"] for push in pushes_to(google, "fcm-token-supervisor-0000001"))
    assert bodies == sorted(
        [
            "Case {reference} is past its service deadline.",
            f"Case {complaint['reference']} is past its service deadline.",
            f"Your report {complaint['reference']} has been verified.",
        ]
    )
    inbox = await staff_inbox(client, supervisor)
    assert sorted(item["kind"] for item in inbox["items"]) == ["case.overdue", "case.overdue", "complaints.verified"]
    assert inbox["unread_count"] == 3
    assert await db.fetchval("SELECT count(*) FROM push_jobs WHERE state = 'done'") == 3


async def test_the_escalation_chains_notices_reach_each_step_on_their_phones(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    complaint = await public_order_complaint(client, await resident(client))
    steps = {"supervisor": ("supervisor", AGENCY), "head": ("supervisor", AGENCY), "admin": ("admin", None)}
    for name, (role, agency) in steps.items():
        headers = await staff_member(client, database_url, role, agency)
        await register_phone(client, headers, f"fcm-token-escalation-{name:0>8}")
        if name == "head":
            await db.execute(
                "UPDATE staff SET is_agency_head = true WHERE id = $1", uuid.UUID(await staff_id(client, headers))
            )
    # A month past due: one round of the worker's step takes every step of the default chain.
    await db.execute(
        "UPDATE cases SET due_at = now() - interval '30 days' WHERE id = $1", uuid.UUID(complaint["case_id"])
    )
    await run_core_task(client.app, app_database, "sweep_overdue_cases")

    await deliver_due(app_database, delivery)
    kinds = {
        name: [push["data"]["kind"] for push in pushes_to(google, f"fcm-token-escalation-{name:0>8}")] for name in steps
    }
    assert kinds == {"supervisor": ["case.overdue"], "head": ["case.escalated"], "admin": ["case.escalated"]}
    [to_head] = pushes_to(google, "fcm-token-escalation-0000head")
    assert to_head["notification"]["body"].startswith(f"Permohonan {complaint['reference']} sudah 2 hari kerja")
    assert to_head["data"]["screen"] == "staff_case"


async def test_a_staff_member_reads_and_marks_only_their_own_items(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    first = await staff_member(client, database_url, "officer")
    second = await staff_member(client, database_url, "officer")
    reporter = await resident(client)
    for _ in range(3):
        await public_order_complaint(client, reporter)
    mine = await staff_inbox(client, first)
    theirs = await staff_inbox(client, second)
    assert mine["unread_count"] == theirs["unread_count"] == 3
    foreign = theirs["items"][0]["id"]

    assert (await client.get(f"/v1/staff/notifications/{foreign}", headers=first)).status_code == 404
    assert (await client.post(f"/v1/staff/notifications/{foreign}/read", headers=first)).status_code == 404
    assert (await client.get(f"/v1/staff/notifications/{uuid.uuid4()}", headers=first)).status_code == 404
    ignored = await client.post("/v1/staff/notifications/read", json={"ids": [foreign]}, headers=first)
    assert ignored.json() == {"unread_count": 3}
    assert (await staff_inbox(client, second))["unread_count"] == 3
    # A resident's notification is not a staff member's, and a resident has no staff inbox.
    assert (await client.get("/v1/staff/notifications", headers=reporter)).status_code == 403

    own = mine["items"][0]["id"]
    read_one = await client.get(f"/v1/staff/notifications/{own}", headers=first)
    assert read_one.status_code == 200, read_one.text
    assert read_one.json() == mine["items"][0]
    assert (await client.post(f"/v1/staff/notifications/{own}/read", headers=first)).json() == {"unread_count": 2}
    assert (await client.post(f"/v1/staff/notifications/{own}/read", headers=first)).json() == {"unread_count": 2}
    assert (await client.post("/v1/staff/notifications/read-all", headers=first)).json() == {"unread_count": 0}
    assert (await staff_inbox(client, second))["unread_count"] == 3

    # Keyset pages, and a cursor is the holder's alone.
    page = await staff_inbox(client, first, limit=2)
    rest = await staff_inbox(client, first, limit=2, cursor=page["next_cursor"])
    assert [item["id"] for item in page["items"] + rest["items"]] == [item["id"] for item in mine["items"]]
    assert rest["next_cursor"] is None
    stolen = await client.get("/v1/staff/notifications", params={"cursor": page["next_cursor"]}, headers=second)
    assert stolen.status_code == 422
    assert stolen.json()["errors"][0]["field"] == "cursor"


async def test_a_staff_device_is_checked_and_bounded(client: AsyncTestClient[Litestar], database_url: str) -> None:
    officer = await staff_member(client, database_url, "officer")
    good = {"fcm_token": "fcm-token-bounded-00000000001", "platform": "ios", "app_version": "2.1.0"}
    refused = [
        ("installation-0001", {**good, "fcm_token": "short"}),
        ("installation-0001", {**good, "fcm_token": "fcm token with spaces 00000"}),
        ("installation-0001", {**good, "fcm_token": "x" * 4097}),
        ("installation-0001", {**good, "platform": "windows"}),
        ("installation-0001", {**good, "app_version": "2.1 beta"}),
        ("installation-0001", {**good, "locale": "en"}),  # staff choose a language with PATCH /v1/staff/me
        ("installation-0001", {**good, "fcm_token": 12345678901234567890123}),
        ("installation-0001", {"platform": "ios", "app_version": "2.1.0"}),
        ("short", good),
        ("installation/../0001", good),
    ]
    for installation, body in refused:
        answer = await client.put(f"/v1/staff/devices/{installation}", json=body, headers=officer)
        assert answer.status_code in (404, 422), (installation, body, answer.text)
    unreadable = await client.put(
        "/v1/staff/devices/installation-0001",
        content=b"{not json",
        headers={**officer, "Content-Type": "application/json"},
    )
    assert unreadable.status_code == 400

    for number in range(MAX_STAFF_DEVICES):
        await register_phone(client, officer, f"fcm-token-bounded-{number:012d}", f"installation-{number:04d}")
    one_too_many = await client.put("/v1/staff/devices/installation-9999", json=good, headers=officer)
    assert one_too_many.status_code == 409
    assert one_too_many.json()["code"] == "too_many_devices"
    assert "5" in one_too_many.json()["detail"]
    # Refreshing a registered phone is not a new one; signing out of one makes room.
    await register_phone(client, officer, "fcm-token-bounded-refreshed01", "installation-0000")
    assert (await client.delete("/v1/staff/devices/installation-0001", headers=officer)).status_code == 204
    await register_phone(client, officer, "fcm-token-bounded-newphone001", "installation-9999")

    # Another staff member's phone, or a resident's, cannot be signed out by this one.
    colleague = await staff_member(client, database_url, "officer")
    assert (await client.delete("/v1/staff/devices/installation-0002", headers=colleague)).status_code == 404
    assert (
        await client.put("/v1/staff/devices/installation-0002", json=good, headers=await resident(client))
    ).status_code == 403


async def test_a_disabled_account_hears_nothing_and_its_phones_stop(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    admin = await staff_member(client, database_url, "admin", None)
    leaving = await staff_member(client, database_url, "officer")
    leaving_id = await staff_id(client, leaving)
    await register_phone(client, leaving, "fcm-token-leaving-00000000001")
    staying = await staff_member(client, database_url, "supervisor")
    await register_phone(client, staying, "fcm-token-staying-00000000001")

    disabled = await client.patch(f"/v1/admin/staff/{leaving_id}", json={"is_active": False}, headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert await db.fetchval("SELECT count(*) FROM staff_devices WHERE staff_id = $1", uuid.UUID(leaving_id)) == 0
    await public_order_complaint(client, await resident(client))
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE recipient_id = $1", uuid.UUID(leaving_id)) == 0

    # Disabled without the admin API (by the release before this one): its phones still get nothing.
    staying_id = uuid.UUID(await staff_id(client, staying))
    await db.execute("UPDATE staff SET is_active = false WHERE id = $1", staying_id)
    await db.execute(
        """INSERT INTO notifications (recipient_kind, recipient_id, source, template)
           VALUES ('staff', $1, 'core', 'case.overdue')""",
        staying_id,
    )
    await deliver_due(app_database, delivery)
    assert google.fcm_sent == []


async def test_a_token_fcm_no_longer_knows_is_dropped_like_a_residents(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
    db: asyncpg.Connection,
) -> None:
    officer = await staff_member(client, database_url, "officer")
    await register_phone(client, officer, "fcm-token-gone-0000000000001", "installation-gone")
    await register_phone(client, officer, "fcm-token-kept-0000000000001", "installation-kept")
    google.fcm_outcomes["fcm-token-gone-0000000000001"] = ["unregistered"]
    await public_order_complaint(client, await resident(client))
    assert await deliver_due(app_database, delivery) == 1
    assert [push["token"] for push in google.fcm_sent] == ["fcm-token-kept-0000000000001"]
    assert await db.fetchval("SELECT array_agg(installation_id) FROM staff_devices") == ["installation-kept"]
    # One phone, one account: the same installation signed in as a resident is no longer the officer's.
    registration = {"fcm_token": "fcm-token-kept-0000000000001", "platform": "android", "app_version": "2.1.0"}
    moved = await client.put("/v1/me/devices/installation-kept", json=registration, headers=await resident(client))
    assert moved.status_code == 200, moved.text
    assert await db.fetchval("SELECT count(*) FROM staff_devices") == 0


async def test_bad_input_to_the_language_and_the_inbox_is_refused_naming_the_field(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    officer = await staff_member(client, database_url, "officer")
    language_changes: list[tuple[Any, str]] = [
        ({"locale": "fr"}, "locale"),
        ({}, "locale"),
        ({"locale": None}, "locale"),
        ({"locale": "en", "name": "Bukan Saya"}, "name"),
        (["en"], "body"),
    ]
    for body, field in language_changes:
        answer = await client.patch("/v1/staff/me", json=body, headers=officer)
        assert answer.status_code == 422, (body, answer.text)
        assert field in {error["field"] for error in answer.json()["errors"]}, (body, answer.text)
    assert (await client.get("/v1/staff/me", headers=officer)).json()["locale"] == "id"
    # A resident cannot choose a staff language.
    assert (
        await client.patch("/v1/staff/me", json={"locale": "en"}, headers=await resident(client))
    ).status_code == 403

    marks: list[Any] = [
        {"ids": [str(uuid.uuid4()) for _ in range(101)]},
        {"ids": []},
        {"ids": ["not-a-uuid"]},
        {"ids": [str(uuid.uuid4())], "all": True},
    ]
    for body in marks:
        answer = await client.post("/v1/staff/notifications/read", json=body, headers=officer)
        assert answer.status_code == 422, (body, answer.text)
    for params in ({"cursor": "bm90IGEgY3Vyc29y"}, {"cursor": "%%%"}, {"limit": 0}, {"limit": 10**6}):
        answer = await client.get("/v1/staff/notifications", params=params, headers=officer)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["errors"][0]["field"] in ("cursor", "limit")
    assert (await client.get("/v1/staff/notifications/not-a-uuid", headers=officer)).status_code in (404, 422)
