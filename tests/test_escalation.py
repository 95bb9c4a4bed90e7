"""The escalation chain (docs/cases.md, "Escalation"): each step of an overdue case's chain taken once,
at its working days past the due time in the region's calendar, by the worker's step driven here as
the worker runs it (CORE_TASKS' sweep_overdue_cases with the engine's clock set to the instant
under test); and the admin API that keeps the chains."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.cases.calendar import WorkingCalendar
from serang_app.db.pool import Database, open_database
from serang_app.module_system.spec import ModuleSpec
from tests.support.accounts import bearer, create_staff, resident, signed_in_staff, staff_tokens
from tests.support.lamps_module import LAMPS
from tests.support.worker_steps import run_core_task

WIB = "+07:00"


def wib(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}{WIB}")


# A case due at 00:00 WIB on Friday 6 November 2026 (its SLA's last day was Thursday 5), a week with
# no national holiday. Its steps of the default chain fall due:
DUE = wib("2026-11-06T00:00")
# 2 working days past due: Friday 6 and Monday 9 (the weekend does not count).
TWO_DAYS_PAST = wib("2026-11-10T00:00")
# The same with Monday 9 closed: Friday 6 and Tuesday 10.
TWO_DAYS_PAST_WITH_MONDAY_CLOSED = wib("2026-11-11T00:00")
# 5 working days past due: Friday 6, Monday 9 to Thursday 12.
FIVE_DAYS_PAST = wib("2026-11-13T00:00")


def just_before(moment: datetime) -> datetime:
    return moment - timedelta(microseconds=1)


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [LAMPS]


async def sweep(client: AsyncTestClient[Litestar], database: Database, at: datetime) -> None:
    """One round of the worker's step, as the worker runs it, with the engine's clock at `at`."""
    await run_core_task(client.app, database, "sweep_overdue_cases", at=at)


async def overdue_case(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, citizen: dict[str, str], due_at: datetime = DUE
) -> str:
    """A lamp repair case of DPUPR's (the lamps module's agency) due at `due_at`."""
    created = await client.post(
        "/v1/lamps/requests", json={"pole_number": "PJU-7", "district_code": "36.04.05"}, headers=citizen
    )
    assert created.status_code == 201, created.text
    case_id: str = created.json()["case_id"]
    await db.execute("UPDATE cases SET due_at = $2 WHERE id = $1", uuid.UUID(case_id), due_at)
    return case_id


async def staff_member(
    database_url: str, role: str, opd_code: str | None = "DPUPR", *, head: bool = False
) -> uuid.UUID:
    staff_id = await create_staff(database_url, f"{role}-{uuid.uuid4().hex[:8]}@serangkab.go.id", role, opd_code)
    if head:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute("UPDATE staff SET is_agency_head = true WHERE id = $1", staff_id)
        finally:
            await connection.close()
    return staff_id


async def told(db: asyncpg.Connection, case_id: str | None = None) -> list[tuple[uuid.UUID, str, int | None]]:
    """Who was told what: (staff id, template, working days) per escalation notice, oldest first
    (the agency's staff are also told of each new case: not counted here)."""
    rows = await db.fetch(
        """SELECT recipient_id, template, (params->>'working_days')::int AS days FROM notifications
           WHERE recipient_kind = 'staff' AND template IN ('case.overdue', 'case.escalated')
             AND ($1::uuid IS NULL OR case_id = $1)
           ORDER BY created_at, (params->>'working_days')::int, id""",
        uuid.UUID(case_id) if case_id else None,
    )
    return [(row["recipient_id"], row["template"], row["days"]) for row in rows]


def test_steps_fall_due_by_working_days_past_the_due_time() -> None:
    calendar = WorkingCalendar()
    assert all(calendar.is_working_day(wib(f"2026-11-{day:02d}T12:00").date()) for day in (5, 6, 9, 10, 11, 12, 13))
    assert calendar.move_due(DUE, 0) == DUE
    assert calendar.move_due(DUE, 2) == TWO_DAYS_PAST
    assert calendar.move_due(DUE, 5) == FIVE_DAYS_PAST
    closed_monday = WorkingCalendar([wib("2026-11-09T12:00").date()])
    assert closed_monday.move_due(DUE, 2) == TWO_DAYS_PAST_WITH_MONDAY_CLOSED
    with pytest.raises(ValueError, match="cannot move back"):
        calendar.move_due(DUE, -1)


async def test_the_first_step_tells_the_supervisors_when_the_case_falls_due_and_only_once(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, app_database: Database
) -> None:
    supervisor = await staff_member(database_url, "supervisor")
    head = await staff_member(database_url, "supervisor", head=True)
    await staff_member(database_url, "supervisor", "DLH")  # another agency's: never told
    await staff_member(database_url, "officer")  # officers are not in the chain
    case_id = await overdue_case(client, db, await resident(client))

    await sweep(client, app_database, just_before(DUE))
    assert await told(db) == []
    await sweep(client, app_database, DUE)
    await sweep(client, app_database, just_before(TWO_DAYS_PAST))
    # Only the supervisors who are not the head, with the overdue notice as before the chain.
    assert await told(db) == [(supervisor, "case.overdue", 0)]
    assert head not in [who for who, _, _ in await told(db)]
    assert await db.fetchval("SELECT overdue_notified_at FROM cases WHERE id = $1", uuid.UUID(case_id)) == DUE
    steps = await db.fetch("SELECT position, notify, done_at FROM case_escalation_steps")
    assert [(step["position"], step["notify"], step["done_at"]) for step in steps] == [(1, "supervisors", DUE)]
    audit = await db.fetchval(
        "SELECT details FROM audit_log WHERE action = 'case.escalated' AND object_id = $1", case_id
    )
    assert json.loads(audit) == {
        "step": 1,
        "notify": "supervisors",
        "after_working_days": 0,
        "recipients": 1,
    }

    # The case is overdue in the agency's list (its due time is long past) and on its internal timeline.
    officer = await signed_in_staff(client, database_url, "officer")
    listed = (await client.get("/v1/staff/cases", params={"overdue": "true"}, headers=officer)).json()["items"]
    assert [item["id"] for item in listed] == [case_id]
    timeline = (await client.get(f"/v1/cases/{case_id}", headers=officer)).json()["timeline"]
    escalations = [entry for entry in timeline if entry["kind"] == "overdue"]
    assert [(entry["action"], entry["is_public"]) for entry in escalations] == [("escalate_to_supervisors", False)]
    citizen_view = await client.get(f"/v1/cases/{case_id}", headers=await resident(client, phone="+6281200000001"))
    assert citizen_view.status_code == 404


async def test_the_second_step_waits_for_its_working_days_over_a_weekend_and_a_closed_date(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, app_database: Database
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    # The head is named through the staff admin API.
    made = await client.post(
        "/v1/admin/staff",
        json={
            "email": f"kepala-{uuid.uuid4().hex[:6]}@serangkab.go.id",
            "name": "Kepala Dinas",
            "role": "supervisor",
            "opd_code": "DPUPR",
            "password": "kata-sandi-yang-panjang",
            "is_agency_head": True,
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["is_agency_head"] is True
    head = uuid.UUID(made.json()["id"])
    citizen = await resident(client)
    plain, closed_monday = [await overdue_case(client, db, citizen) for _ in range(2)]

    # Over the weekend: Saturday and Sunday are not working days, so Monday's end is the second.
    await sweep(client, app_database, wib("2026-11-09T23:59:59"))
    assert [template for _, template, _ in await told(db)] == []  # nobody but the head exists to tell
    assert await db.fetchval("SELECT count(*) FROM case_escalation_steps WHERE position = 2") == 0
    await sweep(client, app_database, TWO_DAYS_PAST)
    assert await told(db, plain) == [(head, "case.escalated", 2)]
    assert await told(db, closed_monday) == [(head, "case.escalated", 2)]

    # With Monday 9 closed by the admins, a case due on Friday reaches its second step a day later.
    third = await overdue_case(client, db, citizen)
    closed = await client.put("/v1/admin/closed-dates/2026-11-09", json={"reason": "Banjir"}, headers=admin)
    assert closed.status_code == 200, closed.text
    await sweep(client, app_database, TWO_DAYS_PAST)
    assert await told(db, third) == []
    await sweep(client, app_database, just_before(TWO_DAYS_PAST_WITH_MONDAY_CLOSED))
    assert await told(db, third) == []
    await sweep(client, app_database, TWO_DAYS_PAST_WITH_MONDAY_CLOSED)
    assert await told(db, third) == [(head, "case.escalated", 2)]
    # The step with nobody to tell (no supervisor but the head) was still taken, once.
    assert await db.fetchval("SELECT count(*) FROM case_escalation_steps WHERE position = 1") == 3


async def test_the_integrating_agencys_admins_receive_the_last_step_and_a_late_sweep_takes_every_step(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, app_database: Database
) -> None:
    supervisor = await staff_member(database_url, "supervisor")
    head = await staff_member(database_url, "supervisor", head=True)
    admin = await staff_member(database_url, "admin", "DISKOMINFOSATIK")
    disabled_admin = await staff_member(database_url, "admin", "DISKOMINFOSATIK")
    await db.execute("UPDATE staff SET is_active = false WHERE id = $1", disabled_admin)
    case_id = await overdue_case(client, db, await resident(client))

    await sweep(client, app_database, just_before(FIVE_DAYS_PAST))
    assert [who for who, _, _ in await told(db)] == [supervisor, head]
    await sweep(client, app_database, FIVE_DAYS_PAST)
    await sweep(client, app_database, wib("2026-12-01T00:00"))
    assert await told(db) == [
        (supervisor, "case.overdue", 0),
        (head, "case.escalated", 2),
        (admin, "case.escalated", 5),
    ]
    admin_view = await client.get(f"/v1/cases/{case_id}", headers=bearer(await _tokens_of(client, db, admin)))
    actions = [entry["action"] for entry in admin_view.json()["timeline"] if entry["kind"] == "overdue"]
    assert actions == ["escalate_to_supervisors", "escalate_to_agency_head", "escalate_to_integrating_agency"]

    # A sweep that comes late (the worker was down) takes every step due, in order, each once.
    late = await overdue_case(client, db, await resident(client))
    await sweep(client, app_database, wib("2026-12-01T00:00"))
    await sweep(client, app_database, wib("2026-12-01T00:01"))
    assert await told(db, late) == [
        (supervisor, "case.overdue", 0),
        (head, "case.escalated", 2),
        (admin, "case.escalated", 5),
    ]


async def _tokens_of(client: AsyncTestClient[Litestar], db: asyncpg.Connection, staff_id: uuid.UUID) -> dict[str, Any]:
    email = await db.fetchval("SELECT email FROM staff WHERE id = $1", staff_id)
    return await staff_tokens(client, email)


async def test_an_agencys_own_chain_replaces_the_default(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, app_database: Database
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    supervisor = await staff_member(database_url, "supervisor")
    head = await staff_member(database_url, "supervisor", head=True)
    diskominfo_admin = await staff_member(database_url, "admin", "DISKOMINFOSATIK")
    own = {
        "steps": [
            {"after_working_days": 1, "notify": "agency_head"},
            {"after_working_days": 3, "notify": "integrating_agency"},
        ]
    }
    replaced = await client.put("/v1/admin/escalation/agencies/DPUPR", json=own, headers=admin)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["source"] == "agency"
    assert [(step["position"], step["after_working_days"], step["notify"]) for step in replaced.json()["steps"]] == [
        (1, 1, "agency_head"),
        (2, 3, "integrating_agency"),
    ]
    case_id = await overdue_case(client, db, await resident(client))

    await sweep(client, app_database, DUE)  # no step at the due time in this chain
    assert await told(db, case_id) == []
    assert await db.fetchval("SELECT overdue_notified_at FROM cases WHERE id = $1", uuid.UUID(case_id)) is None
    await sweep(client, app_database, wib("2026-11-09T00:00"))  # Friday 6 is the one day
    assert await told(db, case_id) == [(head, "case.escalated", 1)]
    assert await db.fetchval("SELECT overdue_notified_at FROM cases WHERE id = $1", uuid.UUID(case_id)) is not None
    await sweep(client, app_database, FIVE_DAYS_PAST)
    admins = {row["id"] for row in await db.fetch("SELECT id FROM staff WHERE role = 'admin'")}
    assert diskominfo_admin in admins
    assert len(admins) == 2  # the signed-in one too
    assert sorted(await told(db, case_id)) == sorted(
        [(head, "case.escalated", 1), *((admin_id, "case.escalated", 3) for admin_id in admins)]
    )
    assert supervisor not in [who for who, _, _ in await told(db, case_id)]

    # Back to the default: the agency's next cases follow it again.
    removed = await client.delete("/v1/admin/escalation/agencies/DPUPR", headers=admin)
    assert removed.status_code == 204
    after = await client.get("/v1/admin/escalation/agencies/DPUPR", headers=admin)
    assert after.json()["source"] == "default"
    assert [step["notify"] for step in after.json()["steps"]] == ["supervisors", "agency_head", "integrating_agency"]
    audited = await db.fetch(
        "SELECT action, object_id, details FROM audit_log WHERE object_type = 'escalation_chain' ORDER BY id"
    )
    assert [(row["action"], row["object_id"]) for row in audited] == [
        ("escalation.chain_replaced", "DPUPR"),
        ("escalation.chain_removed", "DPUPR"),
    ]
    assert json.loads(audited[0]["details"]) == {"steps": [[1, "agency_head"], [3, "integrating_agency"]]}


async def test_two_sweeps_at_once_tell_everyone_once(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    supervisors = [await staff_member(database_url, "supervisor") for _ in range(2)]
    citizen = await resident(client)
    cases = [await overdue_case(client, db, citizen) for _ in range(12)]
    pools = [await open_database(database_url, min_size=1, max_size=2, connect_timeout=5) for _ in range(2)]
    try:
        for _ in range(3):
            await asyncio.gather(*(sweep(client, pool, DUE) for pool in pools))
    finally:
        for pool in pools:
            await pool.close()
    notices = await db.fetch(
        "SELECT recipient_id, case_id FROM notifications WHERE recipient_kind = 'staff' AND template = 'case.overdue'"
    )
    assert sorted((row["case_id"], row["recipient_id"]) for row in notices) == sorted(
        (uuid.UUID(case_id), supervisor) for case_id in cases for supervisor in supervisors
    )
    assert await db.fetchval("SELECT count(*) FROM case_events WHERE kind = 'overdue'") == len(cases)
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'case.escalated'") == len(cases)


async def test_a_closed_or_paused_case_stops_and_a_rerouted_one_starts_again(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, app_database: Database
) -> None:
    await staff_member(database_url, "supervisor")
    await staff_member(database_url, "supervisor", head=True)
    dlh_supervisor = await staff_member(database_url, "supervisor", "DLH")
    officer = await signed_in_staff(client, database_url, "officer")
    citizen = await resident(client)
    closing, pausing, forwarded = [await overdue_case(client, db, citizen) for _ in range(3)]
    await sweep(client, app_database, DUE)
    assert await db.fetchval("SELECT count(*) FROM case_escalation_steps") == 3

    for case_id, actions in ((closing, ("start", "finish")), (pausing, ("start", "ask_resident"))):
        for version, action in enumerate(actions, start=1):
            moved = await client.post(
                f"/v1/cases/{case_id}/actions/{action}",
                json={"note": "Mohon foto tiang"} if action == "ask_resident" else None,
                headers={**officer, "If-Match": f'"{version}"'},
            )
            assert moved.status_code == 200, moved.text
    # Handed to DLH: a fresh SLA there, and its chain from the first step.
    moved = await client.post(
        f"/v1/cases/{forwarded}/actions/forward",
        json={"note": "Urusan DLH", "opd_code": "DLH"},
        headers={**officer, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert await db.fetchval("SELECT count(*) FROM case_escalation_steps WHERE case_id = $1", uuid.UUID(forwarded)) == 0
    await db.execute("UPDATE cases SET due_at = $2 WHERE id = $1", uuid.UUID(forwarded), TWO_DAYS_PAST)

    await sweep(client, app_database, wib("2026-12-01T00:00"))
    for case_id in (closing, pausing):
        assert [template for _, template, _ in await told(db, case_id)] == ["case.overdue"], case_id
    # DLH's supervisor is told as its first step, then its head (none) and the admins (none) in turn.
    assert (dlh_supervisor, "case.overdue", 0) in await told(db, forwarded)
    positions = await db.fetch("SELECT position FROM case_escalation_steps WHERE case_id = $1", uuid.UUID(forwarded))
    assert sorted(row["position"] for row in positions) == [1, 2, 3]


async def test_cases_the_previous_release_reported_continue_without_a_burst_of_old_news(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, app_database: Database
) -> None:
    await staff_member(database_url, "supervisor")
    head = await staff_member(database_url, "supervisor", head=True)
    case_id = await overdue_case(client, db, await resident(client))
    # Marked and reported by the release before the chain, which records no steps.
    await db.execute("UPDATE cases SET overdue_notified_at = $2 WHERE id = $1", uuid.UUID(case_id), DUE)

    await sweep(client, app_database, wib("2026-11-11T00:00"))  # steps 1 and 2 are due
    assert await told(db) == []
    steps = await db.fetch("SELECT position FROM case_escalation_steps ORDER BY position")
    assert [row["position"] for row in steps] == [1, 2]
    await sweep(client, app_database, FIVE_DAYS_PAST)  # step 3 runs as usual
    assert [template for _, template, _ in await told(db)] == []  # no admin exists: nobody to tell
    assert await db.fetchval("SELECT count(*) FROM case_escalation_steps") == 3
    assert head not in [who for who, _, _ in await told(db)]


# --- the admin API ----------------------------------------------------------------------------

DEFAULT_STEPS = [
    {"position": 1, "after_working_days": 0, "notify": "supervisors"},
    {"position": 2, "after_working_days": 2, "notify": "agency_head"},
    {"position": 3, "after_working_days": 5, "notify": "integrating_agency"},
]
REFUSED_CHAINS: dict[str, tuple[Any, list[str]]] = {
    "an unknown field": ({"steps": [{"after_working_days": 0, "notify": "supervisors"}], "extra": 1}, ["extra"]),
    "an unknown field in a step": (
        {"steps": [{"after_working_days": 0, "notify": "supervisors", "note": "x"}]},
        ["steps[0].note"],
    ),
    "an unknown target": ({"steps": [{"after_working_days": 0, "notify": "bupati"}]}, ["steps[0].notify"]),
    "days that do not increase": (
        {
            "steps": [
                {"after_working_days": 0, "notify": "supervisors"},
                {"after_working_days": 3, "notify": "agency_head"},
                {"after_working_days": 3, "notify": "integrating_agency"},
                {"after_working_days": 1, "notify": "integrating_agency"},
            ]
        },
        ["steps[2].after_working_days", "steps[3].after_working_days"],
    ),
    "too many steps": (
        {"steps": [{"after_working_days": day, "notify": "supervisors"} for day in range(11)]},
        ["steps"],
    ),
    "no steps": ({"steps": []}, ["steps"]),
    "negative days": (
        {"steps": [{"after_working_days": -1, "notify": "supervisors"}]},
        ["steps[0].after_working_days"],
    ),
    "too many days": (
        {"steps": [{"after_working_days": 10**18, "notify": "supervisors"}]},
        ["steps[0].after_working_days"],
    ),
    "a string for days": (
        {"steps": [{"after_working_days": "2", "notify": "supervisors"}]},
        ["steps[0].after_working_days"],
    ),
    "not an object": ([1, 2], ["body"]),
}


@pytest.mark.parametrize("case", list(REFUSED_CHAINS))
async def test_a_chain_that_does_not_hold_together_is_refused_naming_its_fields(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, case: str
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    body, fields = REFUSED_CHAINS[case]
    for path in ("/v1/admin/escalation/default", "/v1/admin/escalation/agencies/DPUPR"):
        refused = await client.put(path, json=body, headers={**admin, "Accept-Language": "en"})
        assert refused.status_code == 422, (path, refused.text)
        assert refused.json()["code"] == "invalid_input"
        assert [error["field"] for error in refused.json()["errors"]] == fields, refused.text
    assert (await client.get("/v1/admin/escalation/default", headers=admin)).json()["steps"] == DEFAULT_STEPS
    assert await db.fetchval("SELECT count(*) FROM escalation_steps WHERE opd_code IS NOT NULL") == 0


async def test_admins_keep_the_chains_and_staff_read_only_their_agencys(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer")
    supervisor = await signed_in_staff(client, database_url, "supervisor")
    citizen = await resident(client)
    chain = {
        "steps": [
            {"after_working_days": 0, "notify": "supervisors"},
            {"after_working_days": 1, "notify": "agency_head"},
        ]
    }

    # Admins: the default chain, replaced and read back; unknown agencies are 404.
    default = await client.get("/v1/admin/escalation/default", headers=admin)
    assert default.status_code == 200
    assert default.json()["opd_code"] is None
    assert default.json()["source"] == "default"
    assert default.json()["steps"] == DEFAULT_STEPS
    for code in ("NOPE", "dpupr", "D", "DPUPR%00", "%F0%9F%98%80", "X" * 300):
        assert (await client.get(f"/v1/admin/escalation/agencies/{code}", headers=admin)).status_code == 404, code
        assert (await client.put(f"/v1/admin/escalation/agencies/{code}", json=chain, headers=admin)).status_code == 404
        assert (await client.delete(f"/v1/admin/escalation/agencies/{code}", headers=admin)).status_code == 404
    replaced = await client.put("/v1/admin/escalation/default", json=chain, headers=admin)
    assert replaced.status_code == 200, replaced.text
    assert [step["notify"] for step in replaced.json()["steps"]] == ["supervisors", "agency_head"]
    assert (await client.get("/v1/admin/escalation/agencies/DLH", headers=admin)).json()["steps"] == replaced.json()[
        "steps"
    ]
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'escalation.chain_replaced'") == 1

    # Officers and supervisors read their own agency's chain, and nothing else.
    for member in (officer, supervisor):
        own = await client.get("/v1/admin/escalation/agencies/DPUPR", headers=member)
        assert own.status_code == 200, own.text
        assert own.json()["opd_code"] == "DPUPR"
        assert own.json()["source"] == "default"
        assert (await client.get("/v1/admin/escalation/agencies/DLH", headers=member)).status_code == 404
        assert (await client.get("/v1/admin/escalation/agencies/NOPE", headers=member)).status_code == 404
        assert (await client.get("/v1/admin/escalation/default", headers=member)).status_code == 403
        for path in ("/v1/admin/escalation/default", "/v1/admin/escalation/agencies/DPUPR"):
            assert (await client.put(path, json=chain, headers=member)).status_code == 403
        assert (await client.delete("/v1/admin/escalation/agencies/DPUPR", headers=member)).status_code == 403
    assert (await client.get("/v1/admin/escalation/agencies/DPUPR", headers=citizen)).status_code == 403
    assert (await client.get("/v1/admin/escalation/agencies/DPUPR")).status_code == 401
    assert await db.fetchval("SELECT count(*) FROM escalation_steps WHERE opd_code IS NOT NULL") == 0


async def test_only_a_supervisor_is_the_head_of_an_agency(client: AsyncTestClient[Litestar], database_url: str) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)

    def account(role: str, **more: Any) -> dict[str, Any]:
        return {
            "email": f"{role}-{uuid.uuid4().hex[:6]}@serangkab.go.id",
            "name": "Kepala",
            "role": role,
            "opd_code": "DPUPR",
            "password": "kata-sandi-yang-panjang",
            **more,
        }

    for role in ("officer", "admin"):
        refused = await client.post("/v1/admin/staff", json=account(role, is_agency_head=True), headers=admin)
        assert refused.status_code == 422, refused.text
        assert [error["field"] for error in refused.json()["errors"]] == ["is_agency_head"]
    plain = await client.post("/v1/admin/staff", json=account("supervisor"), headers=admin)
    assert plain.json()["is_agency_head"] is False
    staff_id = plain.json()["id"]
    named = await client.patch(f"/v1/admin/staff/{staff_id}", json={"is_agency_head": True}, headers=admin)
    assert named.status_code == 200
    assert named.json()["is_agency_head"] is True
    refused = await client.patch(
        f"/v1/admin/staff/{staff_id}", json={"role": "officer", "is_agency_head": True}, headers=admin
    )
    assert refused.status_code == 422
    # Given another role, a head stops being the head.
    demoted = await client.patch(f"/v1/admin/staff/{staff_id}", json={"role": "officer"}, headers=admin)
    assert demoted.status_code == 200
    assert demoted.json()["is_agency_head"] is False
