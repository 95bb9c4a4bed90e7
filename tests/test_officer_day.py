"""Issue 22: an officer works a day knowing nothing but their credentials, and a resident's app goes
from an inbox item to the right screen, each following only the fields the answers carry (the
case's `module_object`, the inbox item's `target`), over real HTTP. Only the worker's steps (push
delivery, the overdue sweep) and the sweep's clock are driven from outside."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.cases.calendar import WorkingCalendar
from serang_app.db.pool import Database
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from serang_app.notifications.delivery import Delivery, deliver_due
from tests.support.accounts import STAFF_PASSWORD, bearer, resident, signed_in_staff, staff_tokens
from tests.support.complaints_app import public_order_complaint
from tests.support.fake_google import FakeGoogle
from tests.support.permit_flow import crowd_event_application
from tests.support.staff_push import push_delivery, pushes_to, register_phone, staff_inbox
from tests.support.uploading import photo_with_gps, upload
from tests.support.worker_steps import run_core_task

# Public order complaints and crowd event permits are Satpol PP's.
AGENCY = "SATPOLPP"
# What the escalation chain's steps write: the first step's notice, then the later steps'.
ESCALATION = ("case.overdue", "case.escalated")
PHOTO_REASON = "Foto memperlihatkan wajah pedagang dan pelat nomor motor."
Headers = dict[str, str]


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module(), permits_module()]


@pytest.fixture
def delivery(google: FakeGoogle, modules: list[ModuleSpec]) -> Iterator[Delivery]:
    with push_delivery(google, modules) as step:
        yield step


# --- what the admin and the residents do ------------------------------------------------------------


async def admin_opens_the_agencys_accounts(client: Any, database_url: str) -> dict[str, str]:
    """An officer, a supervisor and the head of Satpol PP (a supervisor flagged as head), made in the
    admin console: each one's e-mail address, the only thing (with the password) they are told."""
    admin = await signed_in_staff(client, database_url, "admin", None)
    emails: dict[str, str] = {}
    for who, role in (("officer", "officer"), ("supervisor", "supervisor"), ("head", "supervisor")):
        email = f"{who}-{uuid.uuid4().hex[:8]}@serangkab.go.id"
        account = {"email": email, "name": f"Rina {who.title()}", "role": role, "opd_code": AGENCY}
        made = await client.post("/v1/admin/staff", json={**account, "password": STAFF_PASSWORD}, headers=admin)
        assert made.status_code == 201, made.text
        if who == "head":
            flagged = await client.patch(
                f"/v1/admin/staff/{made.json()['id']}", json={"is_agency_head": True}, headers=admin
            )
            assert flagged.status_code == 200, flagged.text
            assert flagged.json()["is_agency_head"] is True
        emails[who] = email
    return emails


async def trader_complaint_with_photos(client: Any, reporter: Headers) -> dict[str, Any]:
    """The resident's complaint about traders selling on the pavement ("berjualan"), made public
    with two photos."""
    photos = [(await upload(client, reporter, photo_with_gps()))[0] for _ in range(2)]
    return await public_order_complaint(client, reporter, public=True, photo_upload_ids=photos)


# --- what the officer does ---------------------------------------------------------------------------


async def sign_in(client: Any, email: str) -> Headers:
    return bearer(await staff_tokens(client, email))


async def read_who_i_am(client: Any, officer: Headers) -> dict[str, Any]:
    me = await client.get("/v1/staff/me", headers={**officer, "Accept-Language": "en"})
    assert me.status_code == 200, me.text
    found: dict[str, Any] = me.json()
    return found


async def look_at_my_cases(client: Any, officer: Headers, **filters: str) -> list[dict[str, Any]]:
    listed = await client.get("/v1/staff/cases", params=filters, headers=officer)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def open_by_its_link(client: Any, officer: Headers, path: str) -> dict[str, Any]:
    opened = await client.get(path, headers=officer)
    assert opened.status_code == 200, (path, opened.text)
    found: dict[str, Any] = opened.json()
    return found


async def take_the_case_and_start_the_review(client: Any, officer: Headers, my_id: str, case_id: str) -> None:
    """Assigned to themselves (their id from `staff/me`), then the review started through an action
    the case offers, at the version read."""
    taken = await client.post(f"/v1/staff/cases/{case_id}/assign", json={"assignee_id": my_id}, headers=officer)
    assert taken.status_code == 200, taken.text
    case = await open_by_its_link(client, officer, f"/v1/cases/{case_id}")
    assert case["assignee_id"] == my_id
    assert "start_review" in [action["action"] for action in case["allowed_actions"]]
    started = await client.post(
        f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": f'"{case["version"]}"'}
    )
    assert started.status_code == 200, started.text


async def ask_for_a_revision(client: Any, officer: Headers, application_path: str) -> dict[str, Any]:
    revision = await client.post(
        f"{application_path}/revision",
        json={"note": "Lampirkan surat desa yang sudah ditandatangani.", "fields": [], "documents": ["village_letter"]},
        headers=officer,
    )
    assert revision.status_code == 200, revision.text
    application: dict[str, Any] = revision.json()
    return application


async def search_my_cases(client: Any, officer: Headers, words: str) -> list[str]:
    """The references of the cases `GET /v1/staff/cases?q=` finds."""
    return [item["reference"] for item in await look_at_my_cases(client, officer, q=words)]


async def hide_a_photo(client: Any, officer: Headers, complaint_path: str, photo_id: str) -> dict[str, Any]:
    hidden = await client.post(
        f"{complaint_path}/moderation",
        json={"target": "photo", "photo_upload_id": photo_id, "action": "hide", "reason": PHOTO_REASON},
        headers=officer,
    )
    assert hidden.status_code == 200, hidden.text
    complaint: dict[str, Any] = hidden.json()
    return complaint


async def what_the_public_sees_of_the_photos(client: Any, complaint: dict[str, Any]) -> dict[str, Any]:
    """The complaint's photos on the public feed, one public complaint and Open311 (list and one)."""
    feed = await client.get("/v1/complaints/public")
    one = await client.get(f"/v1/complaints/public/{complaint['case_id']}")
    open311_list = await client.get("/open311/v2/requests.json")
    open311_one = await client.get(f"/open311/v2/requests/{complaint['reference']}.json")
    for answer in (feed, one, open311_list, open311_one):
        assert answer.status_code == 200, answer.text
    [listed] = [item for item in feed.json()["items"] if item["case_id"] == complaint["case_id"]]
    [request] = [item for item in open311_list.json() if item["service_request_id"] == complaint["reference"]]
    return {
        "feed": listed["thumbnail_urls"],
        "one": one.json()["thumbnail_urls"],
        "open311 list": request["media_url"],
        "open311 one": open311_one.json()[0]["media_url"],
    }


async def read_my_agencys_escalation_chain(client: Any, officer: Headers) -> list[dict[str, Any]]:
    """The chain an overdue case of the officer's agency climbs, as the officer may read it."""
    me = await read_who_i_am(client, officer)
    chain = await open_by_its_link(client, officer, f"/v1/admin/escalation/agencies/{me['agency']['code']}")
    steps: list[dict[str, Any]] = chain["steps"]
    return steps


def public_thumbnail(photo_id: str) -> str:
    return f"http://testserver.local/v1/uploads/{photo_id}/public-thumbnail"


# --- the worker's steps, and their clock ----------------------------------------------------------


async def deliver_pushes(app_database: Database, delivery: Delivery) -> None:
    await deliver_due(app_database, delivery)


async def worker_sweeps_overdue_cases_at(client: Any, app_database: Database, moment: datetime) -> None:
    await run_core_task(client.app, app_database, "sweep_overdue_cases", at=moment)


def told_of(inbox: dict[str, Any], case_id: str, *kinds: str) -> list[str]:
    """The kinds of the staff notifications about `case_id` among `kinds`, newest first."""
    return [item["kind"] for item in inbox["items"] if item["case_id"] == case_id and item["kind"] in kinds]


async def test_an_officer_works_a_day_knowing_only_their_credentials(
    client: AsyncTestClient[Litestar],
    database_url: str,
    app_database: Database,
    delivery: Delivery,
    google: FakeGoogle,
) -> None:
    emails = await admin_opens_the_agencys_accounts(client, database_url)

    # Morning: the officer signs in, learns who they are, and registers their phone.
    officer = await sign_in(client, emails["officer"])
    me = await read_who_i_am(client, officer)
    assert (me["role"], me["agency"]["code"], me["name"], me["locale"]) == ("officer", AGENCY, "Rina Officer", "en")
    await register_phone(client, officer, "fcm-token-officer-day-000001")

    # Residents file a crowd event permit and a public complaint with photos.
    applicant = await resident(client, "Ahmad Fauzi")
    application = await crowd_event_application(client, applicant)
    reporter = await resident(client, "Siti Aminah")
    complaint = await trader_complaint_with_photos(client, reporter)

    # Both are in the officer's inbox, each carrying the link to its module's object.
    items = {item["module"]: item for item in await look_at_my_cases(client, officer)}
    assert set(items) == {"permits", "complaints"}
    permit_item, complaint_item = items["permits"], items["complaints"]
    case_id = complaint_item["id"]
    assert (permit_item["reference"], complaint_item["reference"]) == (application["reference"], complaint["reference"])
    assert permit_item["module_object"]["kind"] == "application"
    assert complaint_item["module_object"]["kind"] == "complaint"

    # And in their notification feed, and on their phone (in Indonesian: they chose no language yet).
    feed = await staff_inbox(client, officer)
    assert feed["unread_count"] == 2
    news = {item["case_id"]: item for item in feed["items"]}
    assert set(news) == {application["case_id"], complaint["case_id"]}
    assert {item["kind"] for item in news.values()} == {"case.new"}
    await deliver_pushes(app_database, delivery)
    pushed = pushes_to(google, "fcm-token-officer-day-000001")
    assert sorted(push["data"]["case_id"] for push in pushed) == sorted(news)
    assert {push["data"]["screen"] for push in pushed} == {"staff_case"}
    assert {push["notification"]["body"] for push in pushed} == {
        f"Permohonan baru {reference} masuk ke instansi Anda."
        for reference in (application["reference"], complaint["reference"])
    }

    # Each opens from the feed by the links its item carries, to what the inbox names.
    for item in news.values():
        case = await open_by_its_link(client, officer, item["target"]["case_path"])
        assert case["id"] == item["case_id"]
        assert case["module_object"] == item["target"]["module_object"]
    opened_complaint = await open_by_its_link(
        client, officer, news[complaint["case_id"]]["target"]["module_object"]["path"]
    )
    assert opened_complaint["reference"] == complaint_item["reference"]
    application_path = news[application["case_id"]]["target"]["module_object"]["path"]
    assert application_path == permit_item["module_object"]["path"]
    opened_application = await open_by_its_link(client, officer, application_path)
    assert opened_application["id"] == permit_item["module_object"]["id"] == application["id"]
    assert opened_application["reference"] == permit_item["reference"]
    assert opened_application["answers"]["event_name"] == "Pentas seni desa"

    # The officer takes the permit application, reviews it, and asks for a revision.
    await take_the_case_and_start_the_review(client, officer, me["id"], permit_item["id"])
    asked = await ask_for_a_revision(client, officer, application_path)
    assert asked["status"] == "revision_requested"
    assert [document["code"] for document in asked["revision"]["documents"]] == ["village_letter"]

    # A resident calls quoting a reference; another remembers only what they wrote ("berjualan").
    assert await search_my_cases(client, officer, complaint["reference"]) == [complaint["reference"]]
    assert await search_my_cases(client, officer, application["reference"].lower()) == [application["reference"]]
    assert await search_my_cases(client, officer, "jual") == [complaint["reference"]]
    assert await search_my_cases(client, officer, "pentas") == [application["reference"]]
    for quoted in (complaint["reference"], complaint["reference"].lower()):
        by_reference = await open_by_its_link(client, officer, f"/v1/cases/by-reference/{quoted}")
        assert (by_reference["id"], by_reference["module_object"]) == (case_id, complaint_item["module_object"])

    # A photo of the complaint shows a face: the officer hides it from the public.
    first, second = opened_complaint["photo_upload_ids"]
    assert await what_the_public_sees_of_the_photos(client, complaint) == {
        "feed": [public_thumbnail(first), public_thumbnail(second)],
        "one": [public_thumbnail(first), public_thumbnail(second)],
        "open311 list": public_thumbnail(first),
        "open311 one": public_thumbnail(first),
    }
    complaint_path = complaint_item["module_object"]["path"]
    moderated = await hide_a_photo(client, officer, complaint_path, first)
    assert [(hidden["photo_upload_id"], hidden["reason"]) for hidden in moderated["hidden_from_public"]] == [
        (first, PHOTO_REASON)
    ]
    assert await what_the_public_sees_of_the_photos(client, complaint) == {
        "feed": [public_thumbnail(second)],
        "one": [public_thumbnail(second)],
        "open311 list": public_thumbnail(second),
        "open311 one": public_thumbnail(second),
    }
    hidden_thumbnail = await client.get(f"/v1/uploads/{first}/public-thumbnail", follow_redirects=False)
    assert hidden_thumbnail.status_code == 404
    # The officer still sees it.
    assert (await open_by_its_link(client, officer, complaint_path))["photo_upload_ids"] == [first, second]
    assert (await open_by_its_link(client, officer, f"/v1/uploads/{first}"))["id"] == first

    # Nobody works the complaint: it falls due, and climbs its agency's chain on schedule.
    supervisor = await sign_in(client, emails["supervisor"])
    await register_phone(client, supervisor, "fcm-token-supervisor-day-01")
    head = await sign_in(client, emails["head"])
    await register_phone(client, head, "fcm-token-agency-head-day-01")
    chain = await read_my_agencys_escalation_chain(client, officer)
    assert [(step["notify"], step["after_working_days"]) for step in chain][:2] == [
        ("supervisors", 0),
        ("agency_head", 2),
    ]
    due = datetime.fromisoformat(complaint_item["due_at"])
    to_the_head = WorkingCalendar().move_due(due, chain[1]["after_working_days"])

    await worker_sweeps_overdue_cases_at(client, app_database, due - timedelta(microseconds=1))
    assert told_of(await staff_inbox(client, supervisor), case_id, *ESCALATION) == []
    await worker_sweeps_overdue_cases_at(client, app_database, due)
    assert told_of(await staff_inbox(client, supervisor), case_id, *ESCALATION) == ["case.overdue"]
    assert told_of(await staff_inbox(client, head), case_id, *ESCALATION) == []
    await worker_sweeps_overdue_cases_at(client, app_database, to_the_head - timedelta(microseconds=1))
    assert told_of(await staff_inbox(client, head), case_id, *ESCALATION) == []
    await worker_sweeps_overdue_cases_at(client, app_database, to_the_head)
    assert told_of(await staff_inbox(client, head), case_id, *ESCALATION) == ["case.escalated"]
    assert told_of(await staff_inbox(client, supervisor), case_id, *ESCALATION) == ["case.overdue"]
    # The officer is not in the chain, and sees each step taken on the case's timeline. (Lists judge
    # "overdue" by the database's own clock, which the test does not move.)
    assert told_of(await staff_inbox(client, officer), case_id, *ESCALATION) == []
    timeline = (await open_by_its_link(client, officer, f"/v1/cases/{case_id}"))["timeline"]
    assert [entry["action"] for entry in timeline if entry["kind"] == "overdue"] == [
        "escalate_to_supervisors",
        "escalate_to_agency_head",
    ]
    # Each opens the case from their notice, by the links it carries.
    for reader in (supervisor, head):
        [notice] = [item for item in (await staff_inbox(client, reader))["items"] if item["kind"] in ESCALATION]
        assert (notice["case_id"], notice["reference"]) == (case_id, complaint["reference"])
        assert notice["target"]["module_object"] == complaint_item["module_object"]
        assert (await open_by_its_link(client, reader, notice["target"]["case_path"]))["id"] == case_id
        opened = await open_by_its_link(client, reader, notice["target"]["module_object"]["path"])
        assert opened["reference"] == complaint["reference"]
    # Each heard it on their phone, the head in words naming the working days.
    await deliver_pushes(app_database, delivery)
    overdue_pushes = [
        (push["data"]["kind"], push["notification"]["body"])
        for token in ("fcm-token-supervisor-day-01", "fcm-token-agency-head-day-01")
        for push in pushes_to(google, token)
        if push["data"].get("case_id") == case_id and push["data"]["kind"] in ESCALATION
    ]
    reference = complaint["reference"]
    assert overdue_pushes == [
        ("case.overdue", f"Permohonan {reference} melewati batas waktu layanan."),
        (
            "case.escalated",
            f"Permohonan {reference} sudah 2 hari kerja melewati batas waktu layanan dan kini diteruskan kepada Anda.",
        ),
    ]


# --- the resident's app ----------------------------------------------------------------------------


async def newest_inbox_item(client: Any, applicant: Headers) -> dict[str, Any]:
    """The newest item of the resident's inbox, in their language (Indonesian unless they chose English)."""
    inbox = await client.get("/v1/me/notifications", headers=applicant)
    assert inbox.status_code == 200, inbox.text
    item: dict[str, Any] = inbox.json()["items"][0]
    return item


async def follow_the_items_target(client: Any, applicant: Headers, item: dict[str, Any]) -> tuple[Any, Any]:
    """The screen the item's target names: the case and the module's object, by its paths alone."""
    target = item["target"]
    assert target["screen"] == "case"
    assert target["case_id"] == item["case_id"]
    return (
        await open_by_its_link(client, applicant, target["case_path"]),
        await open_by_its_link(client, applicant, target["module_object"]["path"]),
    )


async def test_a_residents_app_goes_from_an_inbox_item_to_the_right_screen(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    applicant = await resident(client)
    application = await crowd_event_application(client, applicant)
    officer = await signed_in_staff(client, database_url, "officer", AGENCY)
    started = await client.post(
        f"/v1/cases/{application['case_id']}/actions/start_review", headers={**officer, "If-Match": "*"}
    )
    assert started.status_code == 200, started.text

    # The resident's own list carries the object too.
    mine = (await client.get("/v1/me/cases", headers=applicant)).json()["items"]
    assert mine[0]["module_object"]["id"] == application["id"]

    item = await newest_inbox_item(client, applicant)
    assert item["kind"] == "permits.in_review"
    assert item["title"] == "Perizinan"  # the service's title
    assert item["status"] == "in_review"
    assert item["status_title"] == "Diperiksa"
    assert item["phase"] == "in_progress"
    assert item["reference"] == application["reference"]
    assert item["message"]  # the rendered body, as before
    case, screen = await follow_the_items_target(client, applicant, item)
    assert (case["status"], case["reference"]) == ("in_review", item["reference"])
    assert (screen["id"], screen["status"]) == (application["id"], "in_review")

    # The officer asks for a revision: the item leads to the application showing what to fix, with
    # the titles the form shows, and nothing else to look up.
    await ask_for_a_revision(client, officer, f"/v1/permits/applications/{application['id']}")
    item = await newest_inbox_item(client, applicant)
    assert (item["kind"], item["status"], item["phase"]) == (
        "permits.revision",
        "revision_requested",
        "waiting_for_resident",
    )
    case, screen = await follow_the_items_target(client, applicant, item)
    assert case["status"] == screen["status"] == "revision_requested"
    assert screen["revision"]["note"] == "Lampirkan surat desa yang sudah ditandatangani."
    [document] = screen["revision"]["documents"]
    assert document["code"] == "village_letter"
    assert set(document["title"]) == {"id", "en"}
    assert all(document["title"].values())
    assert "village_letter" in screen["documents"]  # the document to replace, as attached
