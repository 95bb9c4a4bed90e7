"""The case core, driven through a module declared in the tests (tests/support/lamps_module.py):
open, act, list, rate; versions, refusals, and who may see what."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.api import ApiError, CaseActor, CaseWords, Notice, SessionToCheck, prepare_case_reading
from serang_app.cases.calendar import WorkingCalendar
from serang_app.cases.engine import CaseEngine
from serang_app.cases.followers import follow_case, move_followers, unfollow_case
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.sla_clock import Clock, move_clock
from serang_app.db.pool import Database, open_database
from serang_app.module_system.spec import ModuleSpec
from serang_app.storage.factory import open_storage
from serang_app.worker.context import WorkerContext
from serang_app.worker.runner import CORE_TASKS
from tests.conftest import app_for, settings_for
from tests.support.accounts import bearer, create_staff, resident_tokens, signed_in_staff, staff_tokens
from tests.support.lamps_module import LAMPS, REPAIR
from tests.support.served import served

KEY = "Idempotency-Key"
WIB = "+07:00"
TUESDAY_10 = datetime.fromisoformat(f"2027-02-23T10:00{WIB}")
FRIDAY_10 = datetime.fromisoformat(f"2027-02-26T10:00{WIB}")
FRIDAY_DUE = datetime.fromisoformat(f"2027-02-26T00:00{WIB}")  # the end of Thursday 25 February
# Thursday 25 February + 3 working days (no holidays then) ends on Tuesday 2 March.
WEDNESDAY_NEXT_DUE = datetime.fromisoformat(f"2027-03-03T00:00{WIB}")


def lamps_app(database_url: str) -> Litestar:
    return app_for(database_url, modules=[LAMPS])


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [LAMPS]


async def resident(client: Any, phone: str = "+6281311110001") -> dict[str, str]:
    return bearer(await resident_tokens(client, phone))


# A signed-in staff member of this role and agency.
staff = signed_in_staff


async def report(client: Any, auth: dict[str, str], pole: str = "PJU-17") -> dict[str, Any]:
    response = await client.post(
        "/v1/lamps/requests", json={"pole_number": pole, "district_code": "36.04.05"}, headers=auth
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def act(
    client: Any, auth: dict[str, str], case_id: str, action: str, version: int | str | None, **body: Any
) -> Any:
    headers = dict(auth)
    if version is not None:
        headers["If-Match"] = f'"{version}"' if isinstance(version, int) else version
    return await client.post(f"/v1/cases/{case_id}/actions/{action}", json=body or None, headers=headers)


SURVEY = {
    "requirements": 4,
    "procedure": 3,
    "service_time": 3,
    "cost": 4,
    "product": 4,
    "competence": 3,
    "behaviour": 4,
    "complaint_handling": 3,
    "facilities": 2,
}


# --- end to end ---------------------------------------------------------------------------


async def test_a_module_case_runs_from_report_to_rating(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    created = await report(client, citizen)
    case_id = created["case_id"]
    assert created["status"] == "submitted"
    assert created["reference"].startswith("LMP-")
    assert created["reference"].endswith("-000001")
    assert (
        await db.fetchval("SELECT pole_number FROM lamps.requests WHERE case_id = $1", uuid.UUID(case_id)) == "PJU-17"
    )

    mine = (await client.get("/v1/me/cases", headers=citizen)).json()
    assert [item["reference"] for item in mine["items"]] == [created["reference"]]
    first = mine["items"][0]
    assert first["phase"] == "submitted"
    assert first["service"]["title"]["en"] == "Broken Street Lamp"
    assert first["status_title"] == {"id": "Diajukan", "en": "Submitted"}
    assert first["due_at"] is not None
    assert first["is_overdue"] is False

    inbox = (await client.get("/v1/staff/cases", headers=officer)).json()
    assert [item["id"] for item in inbox["items"]] == [case_id]

    seen = await client.get(f"/v1/cases/{case_id}", headers=officer)
    assert seen.headers["etag"] == '"1"'
    assert [entry["action"] for entry in seen.json()["allowed_actions"]] == ["start", "forward"]

    started = await act(client, officer, case_id, "start", 1)
    assert started.status_code == 200, started.text
    assert started.headers["etag"] == '"2"'
    assert started.json()["phase"] == "in_progress"

    missing_note = await act(client, officer, case_id, "ask_resident", 2)
    assert missing_note.status_code == 422
    assert [error["field"] for error in missing_note.json()["errors"]] == ["note"]
    asked = await act(client, officer, case_id, "ask_resident", 2, note="Nomor tiang tidak terbaca; mohon foto ulang.")
    assert asked.status_code == 200
    assert asked.json()["is_paused"] is True
    assert asked.json()["phase"] == "waiting_for_resident"

    answered = await act(client, citizen, case_id, "answer", 3, note="Tiang di depan masjid.")
    assert answered.status_code == 200
    assert answered.json()["is_paused"] is False
    fixed = await act(client, officer, case_id, "finish", 4)
    assert fixed.status_code == 200
    assert fixed.json()["phase"] == "completed"
    assert fixed.json()["closed_at"] is not None

    rated = await client.post(f"/v1/cases/{case_id}/rating", json={"stars": 5, "survey": SURVEY}, headers=citizen)
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"] == 5
    # The workflow closes a rated case by itself (Transition.when_rated).
    assert rated.json()["status"] == "closed"
    again = await client.post(f"/v1/cases/{case_id}/rating", json={"stars": 1, "survey": SURVEY}, headers=citizen)
    assert again.status_code == 409
    assert again.json()["code"] == "case_already_rated"
    assert await db.fetchval("SELECT facilities FROM case_ratings WHERE case_id = $1", uuid.UUID(case_id)) == 2

    timeline = (await client.get(f"/v1/cases/{case_id}", headers=citizen)).json()["timeline"]
    assert [(entry["kind"], entry["to_status"]) for entry in timeline] == [
        ("created", "submitted"),
        ("transition", "in_repair"),
        ("transition", "waiting"),
        ("transition", "in_repair"),
        ("transition", "fixed"),
        ("rated", None),
        ("transition", "closed"),
    ]
    # The agency does not show staff names by default: the resident sees roles only.
    assert {entry["actor_name"] for entry in timeline} == {None}
    assert [entry["actor_role"] for entry in timeline][:2] == ["resident", "officer"]

    # Each notifying transition left exactly one notification for the resident, with its template.
    templates = await db.fetch(
        """SELECT template, params->>'reference' AS reference FROM notifications
           WHERE case_id = $1 AND recipient_kind = 'resident' ORDER BY created_at""",
        uuid.UUID(case_id),
    )
    assert [row["template"] for row in templates] == ["lamps.started", "lamps.question", "lamps.fixed"]
    assert {row["reference"] for row in templates} == {created["reference"]}
    audited = await db.fetch(
        "SELECT action FROM audit_log WHERE object_type = 'case' AND object_id = $1 ORDER BY id", case_id
    )
    assert [row["action"] for row in audited] == [
        "case.created",
        *["case.transition"] * 4,
        "case.rated",
        "case.transition",
    ]


async def test_the_pause_moves_the_due_time_by_the_working_days_it_covered(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    case_id = uuid.UUID((await report(client, citizen))["case_id"])
    await act(client, officer, str(case_id), "start", 1)
    await act(client, officer, str(case_id), "ask_resident", 2, note="Mohon foto.")
    paused = await db.fetchrow("SELECT paused_since, due_at FROM cases WHERE id = $1", case_id)
    assert paused is not None
    assert paused["paused_since"] is not None
    # Pretend the question was asked ten days ago, so that the pause spans working days.
    asked_at = paused["paused_since"] - timedelta(days=10)
    await db.execute("UPDATE cases SET paused_since = $2 WHERE id = $1", case_id, asked_at)
    answered = await act(client, citizen, str(case_id), "answer", 3)
    resumed_at = datetime.now(UTC)
    resumed = await db.fetchrow("SELECT paused_since, due_at FROM cases WHERE id = $1", case_id)
    assert resumed is not None
    assert resumed["paused_since"] is None
    assert answered.json()["is_paused"] is False
    lost = WorkingCalendar().paused_working_days(asked_at, resumed_at)
    assert lost >= 6  # ten calendar days hold at least six working days
    assert resumed["due_at"] == WorkingCalendar().extend_due(paused["due_at"], asked_at, resumed_at)
    assert resumed["due_at"] > paused["due_at"] + timedelta(days=lost)  # working days, so at least as many days


@pytest.mark.parametrize(
    ("clock", "target", "expected"),
    [
        # Into a pausing state: the clock stops, the due time stays.
        ((FRIDAY_DUE, None, None), "waiting", (FRIDAY_DUE, TUESDAY_10, None)),
        # Out of it three working days later (Wed, Thu, Fri lost): the due time moves three working days.
        ((FRIDAY_DUE, TUESDAY_10, None), "in_repair", (WEDNESDAY_NEXT_DUE, None, None)),
        # Closing during a pause gives the lost days back and stops for good.
        ((FRIDAY_DUE, TUESDAY_10, None), "fixed", (WEDNESDAY_NEXT_DUE, None, FRIDAY_10)),
        # A pause inside one day costs nothing.
        ((FRIDAY_DUE, FRIDAY_10, None), "in_repair", (FRIDAY_DUE, None, None)),
    ],
)
def test_moving_the_clock(
    clock: tuple[datetime, datetime | None, datetime | None],
    target: str,
    expected: tuple[datetime, datetime | None, datetime | None],
) -> None:
    state = REPAIR.state(target)
    assert state is not None
    now = TUESDAY_10 if target == "waiting" else FRIDAY_10
    moved = move_clock(WorkingCalendar(), Clock(*clock), state, now)
    assert (moved.due_at, moved.paused_since, moved.closed_at) == expected


# --- versions and refusals ------------------------------------------------------------------


async def test_an_action_needs_the_current_version(client: AsyncTestClient[Litestar], database_url: str) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    case_id = (await report(client, citizen))["case_id"]
    missing = await act(client, officer, case_id, "start", None)
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"
    stale = await act(client, officer, case_id, "start", 7)
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"1"'
    garbage = await act(client, officer, case_id, "start", "W/abc")
    assert garbage.status_code == 412
    assert (await act(client, officer, case_id, "start", 1)).status_code == 200


async def test_an_action_not_open_from_this_status_lists_the_allowed_ones(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    case_id = (await report(client, citizen))["case_id"]
    refused = await act(client, officer, case_id, "finish", 1)
    assert refused.status_code == 409
    assert refused.json()["code"] == "case_action_not_allowed"
    assert refused.json()["allowed_actions"] == ["start", "forward"]
    unknown = await act(client, citizen, case_id, "explode", 1)
    assert unknown.status_code == 409
    assert unknown.json()["allowed_actions"] == ["cancel"]
    # The action exists from here, but not for a resident: 403, not 409.
    forbidden = await act(client, citizen, case_id, "start", 1)
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "case_action_forbidden"
    # Only a supervisor may reject.
    assert (await act(client, officer, case_id, "reject", 1, note="Bukan lampu PJU")).status_code == 403
    supervisor = await staff(client, database_url, "supervisor")
    rejected = await act(client, supervisor, case_id, "reject", 1, note="Bukan lampu PJU")
    assert rejected.status_code == 200
    assert rejected.json()["phase"] == "rejected"
    not_done = await client.post(f"/v1/cases/{case_id}/rating", json={"stars": 1, "survey": SURVEY}, headers=citizen)
    assert not_done.status_code == 409
    assert not_done.json()["code"] == "case_not_rateable"


async def test_forwarding_hands_the_case_to_another_agency_with_a_fresh_sla(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    elsewhere = await staff(client, database_url, "officer", "DLH")
    case_id = (await report(client, citizen))["case_id"]
    await db.execute(
        "UPDATE cases SET due_at = now() - interval '1 day', overdue_notified_at = now() WHERE id = $1",
        uuid.UUID(case_id),
    )
    refusals = {
        "no agency": ({"note": "Bukan kewenangan kami"}, "opd_code"),
        "the same agency": ({"note": "x", "opd_code": "DPUPR"}, "opd_code"),
        "an unknown agency": ({"note": "x", "opd_code": "NOPE"}, "opd_code"),
    }
    for name, (body, field) in refusals.items():
        refused = await act(client, officer, case_id, "forward", 1, **body)
        assert refused.status_code == 422, name
        assert [error["field"] for error in refused.json()["errors"]] == [field], name
    # Only a forwarding action takes an agency.
    assert (await act(client, officer, case_id, "start", 1, opd_code="DLH")).status_code == 422
    forwarded = await act(client, officer, case_id, "forward", 1, note="Urusan DLH", opd_code="DLH")
    assert forwarded.status_code == 200, forwarded.text
    # Answered as it left the officer's agency: nothing more for them to do.
    assert forwarded.json()["opd_code"] == "DLH"
    assert forwarded.json()["allowed_actions"] == []
    assert (await client.get(f"/v1/cases/{case_id}", headers=officer)).status_code == 404
    moved = await client.get(f"/v1/cases/{case_id}", headers=elsewhere)
    assert moved.status_code == 200
    assert [entry["action"] for entry in moved.json()["allowed_actions"]] == ["start", "forward"]
    row = await db.fetchrow("SELECT due_at, overdue_notified_at, status FROM cases WHERE id = $1", uuid.UUID(case_id))
    assert row is not None
    assert row["status"] == "submitted"
    assert row["due_at"] > datetime.now(UTC)  # the SLA counts again from now
    assert row["overdue_notified_at"] is None
    resident_told = "SELECT template FROM notifications WHERE case_id = $1 AND recipient_kind = 'resident'"
    assert await db.fetchval(resident_told, uuid.UUID(case_id)) == "lamps.forwarded"
    assert (
        await db.fetchval(
            "SELECT details->>'opd' FROM audit_log WHERE object_id = $1 AND action = 'case.transition'", case_id
        )
        == "DLH"
    )


async def test_a_workflow_moves_a_case_on_by_itself_after_its_days(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    old, recent = [(await report(client, citizen, f"PJU-{n}"))["case_id"] for n in range(2)]
    for case_id in (old, recent):
        await act(client, officer, case_id, "start", 1)
        assert (await act(client, officer, case_id, "finish", 2)).status_code == 200
    await db.execute("UPDATE cases SET status_since = now() - interval '7 days 1 minute' WHERE id = $1", uuid.UUID(old))
    task = next(task for task in CORE_TASKS if task.name == "take_timed_transitions")
    database = await open_database(database_url, min_size=1, max_size=1, connect_timeout=5)
    try:
        context = WorkerContext(
            database=database,
            storage=open_storage(settings_for(database_url)),
            cases=CaseEngine(WorkflowRegistry([LAMPS])),
        )
        await task.run(context)
        await task.run(context)  # nothing more is due
    finally:
        await database.close()
    statuses = {row["id"]: row["status"] for row in await db.fetch("SELECT id::text, status FROM cases")}
    assert statuses == {old: "closed", recent: "fixed"}
    actors = await db.fetch("SELECT actor_kind FROM case_events WHERE to_status = 'closed'")
    assert [row["actor_kind"] for row in actors] == ["system"]


async def test_followers_are_told_what_the_resident_is_told(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    await resident(client, "+6281311110002")  # a second resident, who follows
    officer = await staff(client, database_url, "officer")
    first, second = [(await report(client, citizen, f"PJU-{n}"))["case_id"] for n in range(2)]
    neighbour_id = await db.fetchval("SELECT id FROM residents WHERE phone = '+6281311110002'")
    citizen_id = await db.fetchval("SELECT id FROM residents WHERE phone = '+6281311110001'")
    assert await follow_case(db, uuid.UUID(first), neighbour_id)
    assert not await follow_case(db, uuid.UUID(first), neighbour_id)  # once
    assert await follow_case(db, uuid.UUID(first), citizen_id)  # the reporter is told once, not twice
    await act(client, officer, first, "start", 1)
    # (The officer, told of the new cases, is staff: not counted here.)
    told = await db.fetch(
        "SELECT recipient_id FROM notifications WHERE case_id = $1 AND recipient_kind = 'resident'", uuid.UUID(first)
    )
    assert sorted(row["recipient_id"] for row in told) == sorted([citizen_id, neighbour_id])
    queued_for_residents = """SELECT count(*) FROM push_jobs j JOIN notifications n ON n.id = j.notification_id
                              WHERE n.recipient_kind = 'resident'"""
    assert await db.fetchval(queued_for_residents) == 2
    # Followers of one case move to another, with its reporter; the other's own reporter is not
    # made a follower of their own case.
    assert await move_followers(db, uuid.UUID(first), uuid.UUID(second), also=citizen_id) == 1
    assert await db.fetchval("SELECT count(*) FROM case_followers WHERE case_id = $1", uuid.UUID(first)) == 0
    assert await unfollow_case(db, uuid.UUID(second), neighbour_id)
    assert not await unfollow_case(db, uuid.UUID(second), neighbour_id)


async def test_two_officers_acting_at_once_exactly_one_wins(database_url: str, db: asyncpg.Connection) -> None:
    async with served(lamps_app(database_url)) as client:
        citizen = await resident(client)
        officers = [await staff(client, database_url, "officer") for _ in range(2)]
        case_id = (await report(client, citizen))["case_id"]
        answers = await asyncio.gather(*(act(client, officer, case_id, "start", 1) for officer in officers))
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    assert await db.fetchval("SELECT version FROM cases WHERE id = $1", uuid.UUID(case_id)) == 2
    assert (
        await db.fetchval(
            "SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'transition'", uuid.UUID(case_id)
        )
        == 1
    )


async def test_twenty_retries_with_one_key_open_one_case(database_url: str, db: asyncpg.Connection) -> None:
    async with served(lamps_app(database_url)) as client:
        headers = {**await resident(client), KEY: "lamp-report-1"}
        answers = await asyncio.gather(
            *(client.post("/v1/lamps/requests", json={"pole_number": "PJU-9"}, headers=headers) for _ in range(20))
        )
    assert await db.fetchval("SELECT count(*) FROM cases") == 1
    created = [answer for answer in answers if answer.status_code == 201]
    assert created, [answer.status_code for answer in answers]
    assert {answer.json()["reference"] for answer in created} == {created[0].json()["reference"]}
    assert {answer.status_code for answer in answers} <= {201, 409}


# --- who sees what ---------------------------------------------------------------------------


async def test_nobody_reaches_a_case_that_is_not_theirs(client: AsyncTestClient[Litestar], database_url: str) -> None:
    owner = await resident(client, "+6281311110002")
    stranger = await resident(client, "+6281311110003")
    other_agency = await staff(client, database_url, "officer", "DLH")
    other_supervisor = await staff(client, database_url, "supervisor", "DLH")
    admin = await staff(client, database_url, "admin", None)
    case_id = (await report(client, owner))["case_id"]
    for outsider in (stranger, other_agency, other_supervisor):
        assert (await client.get(f"/v1/cases/{case_id}", headers=outsider)).status_code == 404
        assert (await act(client, outsider, case_id, "cancel", 1)).status_code == 404
        assert (await act(client, outsider, case_id, "start", 1)).status_code == 404
    assert (
        await client.post(f"/v1/cases/{case_id}/rating", json={"stars": 5, "survey": SURVEY}, headers=stranger)
    ).status_code == 404
    for path, body in (
        (f"/v1/staff/cases/{case_id}/comments", {"body": "x"}),
        (f"/v1/staff/cases/{case_id}/assign", {"assignee_id": None}),
    ):
        assert (await client.post(path, json=body, headers=other_agency)).status_code == 404
    # Lists never leak either: the stranger's list and the other agency's inbox are empty.
    assert (await client.get("/v1/me/cases", headers=stranger)).json()["items"] == []
    assert (await client.get("/v1/staff/cases", headers=other_agency)).json()["items"] == []
    # An officer asking for another agency's inbox still gets his own (empty) one.
    assert (await client.get("/v1/staff/cases", params={"opd": "DPUPR"}, headers=other_agency)).json()["items"] == []
    # Diskominfosatik's admins see every agency's cases; residents cannot use the staff inbox.
    assert (await client.get(f"/v1/cases/{case_id}", headers=admin)).status_code == 200
    assert [item["id"] for item in (await client.get("/v1/staff/cases", headers=admin)).json()["items"]] == [case_id]
    assert (await client.get("/v1/staff/cases", headers=owner)).status_code == 403
    assert (await client.get(f"/v1/cases/{uuid.uuid4()}", headers=owner)).status_code == 404


async def test_internal_comments_stay_with_staff_and_public_ones_reach_the_resident(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    case_id = (await report(client, citizen))["case_id"]
    internal = await client.post(
        f"/v1/staff/cases/{case_id}/comments", json={"body": "Cek gudang dulu."}, headers=officer
    )
    assert internal.status_code == 200
    public = await client.post(
        f"/v1/staff/cases/{case_id}/comments",
        json={"body": "Teknisi dijadwalkan besok.", "public": True},
        headers=officer,
    )
    assert public.status_code == 200
    assert public.json()["version"] == 3
    staff_view = [entry["note"] for entry in public.json()["timeline"] if entry["kind"] == "comment"]
    assert staff_view == ["Cek gudang dulu.", "Teknisi dijadwalkan besok."]
    assert {entry["actor_name"] for entry in public.json()["timeline"] if entry["kind"] == "comment"} == {"Staf Uji"}
    resident_view = (await client.get(f"/v1/cases/{case_id}", headers=citizen)).json()["timeline"]
    assert [entry["note"] for entry in resident_view if entry["kind"] == "comment"] == ["Teknisi dijadwalkan besok."]
    assert [entry["actor_name"] for entry in resident_view if entry["kind"] == "comment"] == [None]
    # An agency that chooses to show names (an admin's setting) shows them to residents too.
    admin = await staff(client, database_url, "admin", None)
    shown_setting = await client.patch("/v1/admin/opds/DPUPR", json={"show_staff_names": True}, headers=admin)
    assert shown_setting.status_code == 200
    assert shown_setting.json()["show_staff_names"] is True
    shown = (await client.get(f"/v1/cases/{case_id}", headers=citizen)).json()["timeline"]
    assert [entry["actor_name"] for entry in shown if entry["kind"] == "comment"] == ["Staf Uji"]
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE template = 'case.comment'") == 1


async def test_assignment_rules(client: AsyncTestClient[Litestar], database_url: str) -> None:
    citizen = await resident(client)
    officer_email = f"officer-{uuid.uuid4().hex[:8]}@serangkab.go.id"
    officer_id = await create_staff(database_url, officer_email, "officer", "DPUPR")
    officer = bearer(await staff_tokens(client, officer_email))
    colleague_id = await create_staff(database_url, "rekan@serangkab.go.id", "officer", "DPUPR")
    outsider_id = await create_staff(database_url, "luar@serangkab.go.id", "officer", "DLH")
    supervisor = await staff(client, database_url, "supervisor")
    case_id = (await report(client, citizen))["case_id"]
    path = f"/v1/staff/cases/{case_id}/assign"
    assert (await client.post(path, json={"assignee_id": str(colleague_id)}, headers=officer)).status_code == 403
    taken = await client.post(path, json={"assignee_id": str(officer_id)}, headers=officer)
    assert taken.status_code == 200
    assert taken.json()["assignee_id"] == str(officer_id)
    wrong = await client.post(path, json={"assignee_id": str(outsider_id)}, headers=supervisor)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "assignee_id"
    given = await client.post(path, json={"assignee_id": str(colleague_id)}, headers=supervisor)
    assert given.status_code == 200
    mine = await client.get("/v1/staff/cases", params={"assignee": str(colleague_id)}, headers=supervisor)
    assert [item["id"] for item in mine.json()["items"]] == [case_id]
    nobody = await client.get("/v1/staff/cases", params={"assignee": "none"}, headers=supervisor)
    assert nobody.json()["items"] == []
    # Residents never see who holds their case.
    assert (await client.get(f"/v1/cases/{case_id}", headers=citizen)).json()["assignee_id"] is None


async def test_an_officer_takes_only_free_cases_and_gives_back_only_their_own(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    citizen = await resident(client)
    officer_email, colleague_email = (f"{name}-{uuid.uuid4().hex[:8]}@serangkab.go.id" for name in ("me", "rekan"))
    officer_id = await create_staff(database_url, officer_email, "officer", "DPUPR")
    colleague_id = await create_staff(database_url, colleague_email, "officer", "DPUPR")
    officer = bearer(await staff_tokens(client, officer_email))
    colleague = bearer(await staff_tokens(client, colleague_email))
    supervisor = await staff(client, database_url, "supervisor")
    case_id = (await report(client, citizen))["case_id"]
    path = f"/v1/staff/cases/{case_id}/assign"

    async def assign(auth: dict[str, str], assignee: uuid.UUID | None) -> tuple[int, str | None]:
        response = await client.post(path, json={"assignee_id": assignee and str(assignee)}, headers=auth)
        body = response.json()
        return response.status_code, body.get("code") if response.status_code != 200 else body["assignee_id"]

    refused = (403, "case_assignment_forbidden")
    assert await assign(colleague, colleague_id) == (200, str(colleague_id))  # a free case: taken
    assert await assign(officer, officer_id) == refused  # a colleague's case: not taken over
    assert await assign(officer, None) == refused  # nor put back in the pool
    assert await assign(supervisor, officer_id) == (200, str(officer_id))  # supervisors reassign
    assert await assign(colleague, colleague_id) == refused  # ... and the colleague cannot take it back
    assert await assign(officer, None) == (200, None)  # one's own case: given back
    assert await assign(supervisor, colleague_id) == (200, str(colleague_id))
    refusal = await client.post(path, json={"assignee_id": None}, headers={**officer, "Accept-Language": "en"})
    assert refusal.headers["content-type"].startswith("application/problem+json")
    assert "supervisor" in refusal.json()["detail"]


# --- lists ------------------------------------------------------------------------------------


async def _open_directly(db: asyncpg.Connection, resident_id: uuid.UUID, count: int, start: int) -> None:
    """Cases inserted straight into the table, as other requests would meanwhile."""
    await db.executemany(
        """INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase)
           VALUES ($1, 'lamps', 'repair', 'lamps.repair', $2, 'DPUPR', 'submitted', 'submitted')""",
        [(f"LMP-0000-{start + n:06d}", resident_id) for n in range(count)],
    )


async def test_paging_returns_every_case_once_while_new_ones_arrive(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client, "+6281311110077")
    resident_id = await db.fetchval("SELECT id FROM residents WHERE phone = '+6281311110077'")
    await _open_directly(db, resident_id, 45, 0)
    existing = {row["id"] for row in await db.fetch("SELECT id FROM cases")}
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "10", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/me/cases", params=params, headers=citizen)).json()
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        await _open_directly(db, resident_id, 3, 1000 + pages * 10)  # newer cases between pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen))
    assert {uuid.UUID(case_id) for case_id in seen} == existing


async def test_delta_sync_and_filters(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    first = (await report(client, citizen, "PJU-1"))["case_id"]
    second = (await report(client, citizen, "PJU-2"))["case_id"]
    listed = (await client.get("/v1/me/cases", headers=citizen)).json()["items"]
    assert [item["id"] for item in listed] == [second, first]  # newest first
    synced_at = listed[0]["updated_at"]
    await act(client, officer, first, "start", 1)
    changed = (await client.get("/v1/me/cases", params={"updated_since": synced_at}, headers=citizen)).json()
    assert [item["id"] for item in changed["items"]] == [first]
    # The document types it `date-time`; the route still takes an instant without seconds.
    minutes = await client.get("/v1/me/cases", params={"updated_since": "2020-01-01T00:00+07:00"}, headers=citizen)
    assert minutes.status_code == 200, minutes.text
    assert {item["id"] for item in minutes.json()["items"]} == {first, second}
    by_phase = await client.get("/v1/me/cases", params={"phase": "in_progress"}, headers=citizen)
    assert [item["id"] for item in by_phase.json()["items"]] == [first]
    by_status = await client.get("/v1/me/cases", params={"status": "submitted", "module": "lamps"}, headers=citizen)
    assert [item["id"] for item in by_status.json()["items"]] == [second]
    for wrong in ({"phase": "lost"}, {"updated_since": "0.5"}, {"updated_since": "2026-02-30T00:00:00Z"}):
        refused = await client.get("/v1/me/cases", params=wrong, headers=citizen)
        assert refused.status_code == 422, wrong
        assert [error["field"] for error in refused.json()["errors"]] == list(wrong)
    bad_cursor = await client.get("/v1/me/cases", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=citizen)
    assert bad_cursor.status_code == 422
    # A cursor from the newest-first order does not continue a delta sync.
    await _open_directly(db, (await db.fetchval("SELECT resident_id FROM cases LIMIT 1")), 2, 500)
    newest = (await client.get("/v1/me/cases", params={"limit": "1"}, headers=citizen)).json()["next_cursor"]
    mixed = await client.get("/v1/me/cases", params={"cursor": newest, "updated_since": synced_at}, headers=citizen)
    assert mixed.status_code == 422


async def test_the_inbox_is_sorted_by_due_time_and_filters_overdue(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await staff(client, database_url, "officer")
    ids = [(await report(client, citizen, f"PJU-{n}"))["case_id"] for n in range(3)]
    # The last one is overdue by a day, the first is due in a week.
    await db.execute("UPDATE cases SET due_at = now() - interval '1 day' WHERE id = $1", uuid.UUID(ids[2]))
    await db.execute("UPDATE cases SET due_at = now() + interval '7 days' WHERE id = $1", uuid.UUID(ids[0]))
    inbox = (await client.get("/v1/staff/cases", headers=officer)).json()["items"]
    assert [item["id"] for item in inbox] == [ids[2], ids[1], ids[0]]
    assert [item["is_overdue"] for item in inbox] == [True, False, False]
    overdue = (await client.get("/v1/staff/cases", params={"overdue": "true"}, headers=officer)).json()["items"]
    assert [item["id"] for item in overdue] == [ids[2]]
    paged = (await client.get("/v1/staff/cases", params={"limit": "2"}, headers=officer)).json()
    rest = await client.get("/v1/staff/cases", params={"limit": "2", "cursor": paged["next_cursor"]}, headers=officer)
    assert [item["id"] for item in [*paged["items"], *rest.json()["items"]]] == [ids[2], ids[1], ids[0]]


# --- the overdue sweep and the admins' calendar -------------------------------------------------


async def test_the_sweep_tells_the_supervisors_once_per_overdue_case(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    await staff(client, database_url, "supervisor")
    await staff(client, database_url, "supervisor", "DLH")  # another agency's: not told
    late, on_time = [(await report(client, citizen, f"PJU-{n}"))["case_id"] for n in range(2)]
    await db.execute("UPDATE cases SET due_at = now() - interval '1 hour' WHERE id = $1", uuid.UUID(late))
    task = next(task for task in CORE_TASKS if task.name == "sweep_overdue_cases")
    database = await open_database(database_url, min_size=1, max_size=1, connect_timeout=5)
    context = WorkerContext(
        database=database,
        storage=open_storage(settings_for(database_url)),
        cases=CaseEngine(WorkflowRegistry([LAMPS])),
    )
    try:
        await task.run(context)
        await task.run(context)  # a second sweep finds nothing new
    finally:
        await database.close()
    told = await db.fetch("SELECT recipient_kind, case_id, template FROM notifications WHERE template = 'case.overdue'")
    assert [(row["recipient_kind"], str(row["case_id"])) for row in told] == [("staff", late)]
    assert await db.fetchval("SELECT count(*) FROM case_events WHERE kind = 'overdue'") == 1
    assert await db.fetchval("SELECT overdue_notified_at IS NULL FROM cases WHERE id = $1", uuid.UUID(on_time))


async def test_admins_close_days_and_new_deadlines_skip_them(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await staff(client, database_url, "admin", None)
    officer = await staff(client, database_url, "officer")
    calendar = WorkingCalendar()
    today = datetime.now(UTC)
    next_working = calendar.receipt_day(today + timedelta(days=1))
    closed = await client.put(f"/v1/admin/closed-dates/{next_working}", json={"reason": "Banjir"}, headers=admin)
    assert closed.status_code == 200
    assert (
        await client.put(f"/v1/admin/closed-dates/{next_working}", json={"reason": "x"}, headers=officer)
    ).status_code == 403
    listed = (await client.get("/v1/admin/closed-dates", headers=admin)).json()["items"]
    assert listed == [{"day": next_working.isoformat(), "reason": "Banjir", "kind": "local_closure", "reason_en": None}]
    case_id = (await report(client, await resident(client)))["case_id"]
    due = await db.fetchval("SELECT due_at FROM cases WHERE id = $1", uuid.UUID(case_id))
    assert due == WorkingCalendar([next_working]).due_at(await db.fetchval("SELECT created_at FROM cases"), 3)
    assert due != calendar.due_at(await db.fetchval("SELECT created_at FROM cases"), 3)
    allowed = await client.options(f"/v1/admin/closed-dates/{next_working}", headers=admin)
    assert allowed.headers["allow"] == "DELETE, OPTIONS, PUT"
    assert (await client.delete(f"/v1/admin/closed-dates/{next_working}", headers=admin)).status_code == 204
    assert (await client.delete(f"/v1/admin/closed-dates/{next_working}", headers=admin)).status_code == 404


# --- UU PDP: the cases in the export, and erasure of what the resident wrote --------------------


async def test_export_holds_the_cases_and_erasure_removes_what_the_resident_wrote(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    name = "Ratna Kusumawati"
    citizen = await resident(client, "+6281311110055")
    officer = await staff(client, database_url, "officer")
    case_id = (await report(client, citizen))["case_id"]
    await act(client, officer, case_id, "start", 1)
    await act(client, officer, case_id, "ask_resident", 2, note="Mohon nama pelapor.")
    await act(client, citizen, case_id, "answer", 3, note=f"Saya {name}, RT 02.")
    await act(client, officer, case_id, "finish", 4)
    rating = {"stars": 4, "comment": f"Terima kasih dari {name}", "survey": SURVEY}
    assert (await client.post(f"/v1/cases/{case_id}/rating", json=rating, headers=citizen)).status_code == 200

    export = (await client.get("/v1/me/export", headers=citizen)).json()
    [exported] = export["cases"]
    assert exported["own_notes"] == [f"Saya {name}, RT 02."]
    assert exported["rating_comment"] == f"Terima kasih dari {name}"
    assert [n["template"] for n in export["notifications"]] == ["lamps.started", "lamps.question", "lamps.fixed"]

    assert (await client.delete("/v1/me", headers=citizen)).status_code == 204
    # The access token is still unexpired, but the account is gone: the list refuses at once.
    assert (await client.get("/v1/me/cases", headers=citizen)).status_code == 401
    assert (await client.get("/v1/me/cases", params={"phase": "completed"}, headers=citizen)).status_code == 401
    for table, column in (("case_events", "note"), ("case_ratings", "comment")):
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} ~ $1", name) == 0
    # The case stays for the agency's records, with the officer's own notes.
    assert await db.fetchval("SELECT status FROM cases WHERE id = $1", uuid.UUID(case_id)) == "closed"
    assert await db.fetchval("SELECT count(*) FROM case_events WHERE note = 'Mohon nama pelapor.'") == 1
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE case_id = $1 AND recipient_kind = 'resident'", uuid.UUID(case_id)
        )
        == 0
    )


async def test_a_case_prepared_with_a_modules_read_opens_as_prepare_case_would(
    client: AsyncTestClient[Litestar], app_database: Database
) -> None:
    """prepare_case_reading: the module's row read with the catalogue entry, the case opened from
    it (numbered, its timeline and audit entries written in the statement that inserts it), and
    `service_closed` only when the module asks for the case, after its own checks."""
    await resident(client)
    async with app_database.acquire() as db:
        await _prepared_with_a_read(db)


async def test_a_case_opened_with_the_modules_write_is_one_statement_numbered_without_gaps(
    client: AsyncTestClient[Litestar], app_database: Database
) -> None:
    """PreparedCase.open_writing: the case, its timeline and audit entries, the module's own row
    and the search words in one statement, with no transaction around it; a write that fails
    leaves nothing, not even a used reference number. prepare_case_reading's account check
    refuses an erased account or an ended session with 401 before anything is read;
    routed_case routes the case by what the read found, its due time counted again."""
    await resident(client)
    async with app_database.acquire() as db:
        await db.execute(
            """CREATE TABLE lamp_reports (case_id uuid PRIMARY KEY REFERENCES cases (id),
                                          note text NOT NULL CHECK (note <> ''))"""
        )
        resident_id = await db.fetchval("SELECT id FROM residents WHERE phone = '+6281311110001'")
        actor = CaseActor.resident(resident_id)
        engine = CaseEngine(WorkflowRegistry([LAMPS]))

        async def reading(account: SessionToCheck | None = None) -> Any:
            return await prepare_case_reading(
                engine,
                db,
                actor,
                "SELECT 'DPUPR' AS agency, 7 AS days",
                (),
                module="lamps",
                workflow="repair",
                service_code="lamps.repair",
                account=account,
            )

        found = await reading(SessionToCheck(None))
        assert found.row == {"agency": "DPUPR", "days": 7}
        case = found.routed_case(opd_code="DPUPR", district_code="36.04.05", sla_days=7, is_public=True)
        assert (case.opd_code, case.district_code, case.sla_days, case.is_public) == ("DPUPR", "36.04.05", 7, True)
        assert case.due_at == found.calendar.due_at(case.now, 7)
        insert = "INSERT INTO lamp_reports (case_id, note) VALUES ($1, $2)"
        first = await case.open_writing(db, insert, (case.case_id, "Lampu mati"), words=CaseWords(("lampu mati",)))
        assert first.id == case.case_id
        assert await db.fetchval("SELECT note FROM lamp_reports WHERE case_id = $1", first.id) == "Lampu mati"
        assert await db.fetchval("SELECT opd_code FROM cases WHERE id = $1", first.id) == "DPUPR"
        assert await db.fetchval("SELECT count(*) FROM case_events WHERE case_id = $1", first.id) == 1
        assert await db.fetchval(
            "SELECT words @@ to_tsquery('indonesian', 'lampu') FROM case_search WHERE case_id = $1", first.id
        )
        failing = (await reading()).case()
        with pytest.raises(asyncpg.CheckViolationError):
            await failing.open_writing(db, insert, (failing.case_id, ""))
        assert await db.fetchval("SELECT count(*) FROM cases WHERE id = $1", failing.case_id) == 0
        assert await db.fetchval("SELECT count(*) FROM case_search WHERE case_id = $1", failing.case_id) == 0
        second = (await reading()).case()
        after = await second.open_writing(db, insert, (second.case_id, "Lampu berkedip"))
        assert int(after.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1
        # An ended session, then an erased account: 401, whatever else the read would find.
        await db.execute("INSERT INTO revoked_sessions (session_id) VALUES ($1)", session := uuid.uuid4())
        with pytest.raises(ApiError) as ended:
            await reading(SessionToCheck(session))
        assert ended.value.status_code == 401
        await db.execute("UPDATE residents SET erased_at = now() WHERE id = $1", resident_id)
        with pytest.raises(ApiError) as erased:
            await reading(SessionToCheck(None))
        assert erased.value.status_code == 401
        assert (await reading()).row is not None  # without the check, the read is the module's alone


async def test_a_case_opened_with_notices_names_them_and_a_locking_reading_holds_the_resident(
    client: AsyncTestClient[Litestar], app_database: Database
) -> None:
    """open_writing(notices=..., returning=True): the resident's notifications and their push
    jobs written in the case's statement, each notice's values given the reference it numbered
    (a placeholder of the module's is replaced), and the module's row returned. A write that
    returns nothing gives no row. prepare_case_reading(lock_resident=True) holds the resident's
    row until the transaction ends, and needs the account's session to check."""
    await resident(client)
    async with app_database.acquire() as db, app_database.acquire() as other:
        await db.execute("CREATE TABLE lamp_notes (case_id uuid PRIMARY KEY REFERENCES cases (id), note text NOT NULL)")
        resident_id = await db.fetchval("SELECT id FROM residents WHERE phone = '+6281311110001'")
        actor = CaseActor.resident(resident_id)
        engine = CaseEngine(WorkflowRegistry([LAMPS]))

        async def reading(account: SessionToCheck | None, *, lock: bool) -> Any:
            return await prepare_case_reading(
                engine,
                db,
                actor,
                "SELECT 1 AS one",
                (),
                module="lamps",
                workflow="repair",
                service_code="lamps.repair",
                account=account,
                lock_resident=lock,
            )

        with pytest.raises(ValueError, match="lock_resident"):
            await reading(None, lock=True)
        async with db.transaction():
            case = (await reading(SessionToCheck(None), lock=True)).case()
            with pytest.raises(asyncpg.LockNotAvailableError):
                await other.execute("SELECT 1 FROM residents WHERE id = $1 FOR UPDATE NOWAIT", resident_id)
            opened = await case.open_writing(
                db,
                "INSERT INTO lamp_notes (case_id, note) VALUES ($1, $2) RETURNING note, length(note) AS size",
                (case.case_id, "Tiang miring"),
                notices=[
                    Notice("lamps.noted", {"reference": None, "pole": "PJU-9"}),
                    Notice("lamps.later", {"pole": "PJU-9"}, datetime.now(UTC) + timedelta(days=1)),
                ],
                returning=True,
            )
        assert await other.fetchval("SELECT 1 FROM residents WHERE id = $1 FOR UPDATE NOWAIT", resident_id) == 1
        assert opened.written == {"note": "Tiang miring", "size": 12}
        told = await db.fetch(
            """SELECT n.template, n.recipient_id, n.source, n.params::text AS params, j.not_before = n.created_at AS pushed
               FROM notifications n JOIN push_jobs j ON j.notification_id = n.id
               WHERE n.case_id = $1 AND n.recipient_kind = 'resident' ORDER BY n.created_at""",
            opened.id,
        )
        assert [(row["template"], row["recipient_id"], row["source"], row["pushed"]) for row in told] == [
            ("lamps.noted", resident_id, "lamps", True),
            ("lamps.later", resident_id, "lamps", True),
        ]
        assert {row["params"] for row in told} == {f'{{"pole": "PJU-9", "reference": "{opened.reference}"}}'}
        # A write whose RETURNING finds no row: the case is opened, `written` is None.
        quiet = (await reading(SessionToCheck(None), lock=False)).case()
        nothing = await quiet.open_writing(
            db, "DELETE FROM lamp_notes WHERE case_id = $1 RETURNING note", (quiet.case_id,), returning=True
        )
        assert (nothing.written, nothing.reference > opened.reference) == (None, True)


async def _prepared_with_a_read(db: asyncpg.Connection) -> None:
    resident_id = await db.fetchval("SELECT id FROM residents WHERE phone = '+6281311110001'")
    actor = CaseActor.resident(resident_id)
    engine = CaseEngine(WorkflowRegistry([LAMPS]))
    count = "SELECT count(*) AS cases FROM core.cases WHERE resident_id = $1"

    async def reading(read: str = count, args: tuple[Any, ...] = (resident_id,), service: str = "lamps.repair") -> Any:
        return await prepare_case_reading(
            engine,
            db,
            actor,
            read,
            args,
            module="lamps",
            workflow="repair",
            service_code=service,
            district_code="36.04.05",
        )

    async with db.transaction():
        first = await reading()
        assert first.row == {"cases": 0}
        opened = await first.case().open(db)
    case = await db.fetchrow(
        "SELECT reference, opd_code, district_code, status, due_at FROM cases WHERE id = $1", opened.id
    )
    assert case is not None
    assert (case["reference"], case["status"], case["due_at"]) == (opened.reference, "submitted", opened.due_at)
    assert opened.reference.startswith("LMP-")
    assert case["district_code"] == "36.04.05"
    assert case["opd_code"]
    event = await db.fetchrow(
        "SELECT kind, to_status, actor_kind, actor_id FROM case_events WHERE case_id = $1", opened.id
    )
    assert event is not None
    assert dict(event) == {
        "kind": "created",
        "to_status": "submitted",
        "actor_kind": "resident",
        "actor_id": resident_id,
    }
    audit = await db.fetchrow("SELECT action, actor_id, details FROM audit_log WHERE object_id = $1", str(opened.id))
    assert audit is not None
    assert dict(audit) == {"action": "case.created", "actor_id": resident_id, "details": {"to": "submitted"}}
    assert (await reading("SELECT 1 AS one WHERE false", ())).row is None
    await db.execute("UPDATE catalogue_services SET is_open = false WHERE code = 'lamps.repair'")
    closed = await reading()
    assert closed.row == {"cases": 1}
    with pytest.raises(ApiError) as refused:
        closed.case()
    assert (refused.value.status_code, refused.value.code) == (409, "service_closed")
    with pytest.raises(ValueError, match="does not belong"):
        await reading(service="appointments.book")
