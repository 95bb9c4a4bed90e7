"""The appointments module over the app's HTTP API, with the module's clock driven by the test:
capacity under concurrent booking, the booking rules, check-in at the counter, no-shows and
reminders, closures, cancelling and rescheduling."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.cases.calendar import JAKARTA
from serang_app.cases.engine import CaseEngine
from serang_app.cases.registry import WorkflowRegistry
from serang_app.db.pool import open_database
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.appointments import appointments_module
from serang_app.modules.appointments.no_shows import mark_no_shows
from serang_app.modules.appointments.timetable import public_holiday
from tests.support.accounts import bearer, resident, resident_tokens, signed_in_staff

EVERY_DAY = [{"weekday": weekday, "opens": "08:00", "closes": "16:00"} for weekday in range(7)]


class TestClock:
    """The module's clock: set by the test, read by the booking rules and the no-show task."""

    __test__ = False

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _ordinary_day(after: date) -> date:
    """The first day from `after` on that is no public holiday, nor the next day."""
    day = after
    while public_holiday(day) or public_holiday(day + timedelta(days=1)):
        day += timedelta(days=1)
    return day


def at(day: date, clock_time: str) -> datetime:
    hours, minutes = (int(part) for part in clock_time.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=JAKARTA)


@pytest.fixture
def clock() -> TestClock:
    # A week ahead of the real date: reminders scheduled from the test's "now" lie in the future
    # for the database too, as they would in service.
    today = _ordinary_day(datetime.now(JAKARTA).date() + timedelta(days=7))
    return TestClock(at(today, "07:00"))


@pytest.fixture
def modules(clock: TestClock) -> list[ModuleSpec]:
    return [appointments_module(clock=clock)]


async def new_place(client: Any, database_url: str, *, capacity: int = 4, walk_in_percent: int = 25) -> str:
    """A new place offering KTP-el recording every day 08:00-16:00 in 30-minute slots; by default
    4 seats of which 1 is kept for walk-ins (3 online)."""
    admin = await signed_in_staff(client, database_url, "admin", None)
    code = f"test_{uuid.uuid4().hex[:8]}"
    place = {
        "name": "Kantor Uji",
        "address": "Jl. Uji 1, Ciruas",
        "district_code": "36.04.09",
        "latitude": -6.12,
        "longitude": 106.23,
    }
    created = await client.put(f"/v1/appointments/places/{code}", json=place, headers=admin)
    assert created.status_code == 200, created.text
    schedule = {
        "hours": EVERY_DAY,
        "slot_minutes": 30,
        "capacity": capacity,
        "walk_in_percent": walk_in_percent,
        "horizon_days": 14,
        "cutoff_minutes": 120,
    }
    saved = await client.put(f"/v1/appointments/places/{code}/schedules/ktp_recording", json=schedule, headers=admin)
    assert saved.status_code == 200, saved.text
    return code


def booking(place: str, starts_at: datetime, service: str = "ktp_recording") -> dict[str, str]:
    return {"service_code": service, "place_code": place, "starts_at": starts_at.isoformat()}


async def day_slots(client: Any, place: str, day: date) -> Any:
    """GET /v1/appointments/slots of KTP-el recording at `place` for one day."""
    listed = await client.get(
        "/v1/appointments/slots",
        params={"service": "ktp_recording", "place": place, "from": day.isoformat(), "to": day.isoformat()},
    )
    assert listed.status_code == 200, listed.text
    return listed


def slot_item(listing: dict[str, Any], starts_at: datetime) -> dict[str, Any]:
    found: dict[str, Any] = next(
        item for item in listing["items"] if datetime.fromisoformat(item["starts_at"]) == starts_at
    )
    return found


async def test_fifty_residents_racing_for_three_seats_get_exactly_three(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, clock: TestClock
) -> None:
    place = await new_place(client, database_url)
    slot = at(clock.now.date() + timedelta(days=1), "09:00")
    offered = await day_slots(client, place, slot.date())
    too_long = await client.get(
        "/v1/appointments/slots",
        params={
            "service": "ktp_recording",
            "place": place,
            "from": slot.date().isoformat(),
            "to": (slot.date() + timedelta(days=31)).isoformat(),
        },
    )
    assert (too_long.status_code, [error["field"] for error in too_long.json()["errors"]]) == (422, ["to"])
    assert offered.status_code == 200, offered.text
    first = slot_item(offered.json(), slot)
    assert (first["remaining"], first["bookable"]) == (3, True)
    assert len(offered.json()["items"]) == 16  # 08:00-16:00 in 30-minute slots
    residents = [await resident(client) for _ in range(50)]

    async def attempt(auth: dict[str, str]) -> Any:
        return await client.post("/v1/appointments", json=booking(place, slot), headers=auth)

    answers = await asyncio.gather(*(attempt(auth) for auth in residents))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 3 + [409] * 47
    refused = [answer.json() for answer in answers if answer.status_code == 409]
    assert {problem["code"] for problem in refused} == {"appointments_slot_full"}
    assert all(problem["detail"] for problem in refused)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM appointments.bookings WHERE place_code = $1 AND starts_at = $2 AND active",
            place,
            slot,
        )
        == 3
    )
    assert (
        await db.fetchval(
            "SELECT booked FROM appointments.slot_seats WHERE place_code = $1 AND starts_at = $2", place, slot
        )
        == 3
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM cases c JOIN appointments.bookings b ON b.case_id = c.id WHERE b.place_code = $1",
            place,
        )
        == 3
    )
    after = await day_slots(client, place, slot.date())
    assert (slot_item(after.json(), slot)["remaining"], slot_item(after.json(), slot)["bookable"]) == (0, False)


async def test_the_booking_rules_refuse_with_a_clear_message(
    client: AsyncTestClient[Litestar], database_url: str, clock: TestClock
) -> None:
    place = await new_place(client, database_url)
    citizen = await resident(client)
    tomorrow = clock.now.date() + timedelta(days=1)
    once = {**citizen, "Idempotency-Key": uuid.uuid4().hex}
    booked = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "10:00")), headers=once)
    assert booked.status_code == 201, booked.text
    # A retry with the same key (the phone lost the answer) gets the same booking, not a refusal.
    retried = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "10:00")), headers=once)
    assert (retried.status_code, retried.json()["id"]) == (201, booked.json()["id"])
    assert booked.json()["status"] == "booked"
    assert booked.json()["reference"].startswith("JDW-")

    def refused(answer: Any, code: str) -> None:
        assert (answer.status_code, answer.json()["code"]) == (409, code), answer.text

    # A second active booking for the same service.
    refused(
        await client.post("/v1/appointments", json=booking(place, at(tomorrow, "11:00")), headers=citizen),
        "appointments_already_booked",
    )
    other = await resident(client)
    # A public holiday within the horizon: the next one after the test's today.
    holiday = next(
        clock.now.date() + timedelta(days=offset)
        for offset in range(1, 400)
        if public_holiday(clock.now.date() + timedelta(days=offset))
    )
    clock.now = at(holiday - timedelta(days=2), "07:00")
    on_holiday = await client.post("/v1/appointments", json=booking(place, at(holiday, "09:00")), headers=other)
    refused(on_holiday, "appointments_day_closed")
    assert public_holiday(holiday).id in on_holiday.json()["detail"]  # type: ignore[union-attr]
    listed = await day_slots(client, place, holiday)
    assert listed.json()["items"] == []
    assert listed.json()["closed"][0]["day"] == holiday.isoformat()
    # Past the horizon (14 days), and after the cut-off (2 hours before).
    too_far = _ordinary_day(holiday - timedelta(days=2) + timedelta(days=15))
    refused(
        await client.post("/v1/appointments", json=booking(place, at(too_far, "09:00")), headers=other),
        "appointments_beyond_horizon",
    )
    clock.now = at(tomorrow, "08:01")
    refused(
        await client.post("/v1/appointments", json=booking(place, at(tomorrow, "10:00")), headers=other),
        "appointments_past_cutoff",
    )
    # Not the start of a slot, and a time without its zone.
    odd = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "13:10")), headers=other)
    assert (odd.status_code, [error["field"] for error in odd.json()["errors"]]) == (422, ["starts_at"])
    naive = {**booking(place, at(tomorrow, "13:00")), "starts_at": "2030-01-01T13:00:00"}
    assert (await client.post("/v1/appointments", json=naive, headers=other)).status_code == 422
    # The daily limit (3 by default, cancelled bookings count).
    for service in ("ktp_reprint", "family_card", "moving"):
        admin = await signed_in_staff(client, database_url, "admin", None)
        await client.put(
            f"/v1/appointments/places/{place}/schedules/{service}",
            json={"hours": EVERY_DAY, "slot_minutes": 30, "capacity": 4, "walk_in_percent": 25},
            headers=admin,
        )
    for service in ("ktp_reprint", "family_card"):
        made = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "14:00"), service), headers=other)
        assert made.status_code == 201, made.text
        cancelled = await client.post(f"/v1/appointments/{made.json()['id']}/cancel", headers=other)
        assert cancelled.json()["status"] == "cancelled"
    made = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "14:00"), "moving"), headers=other)
    assert made.status_code == 201
    refused(
        await client.post("/v1/appointments", json=booking(place, at(tomorrow, "15:00")), headers=other),
        "appointments_daily_limit",
    )
    # A closed service or an unknown place cannot be booked.
    unknown = await client.post("/v1/appointments", json=booking("nowhere", at(tomorrow, "15:00")), headers=other)
    assert [error["field"] for error in unknown.json()["errors"]] == ["place_code"]


async def test_a_closed_service_takes_no_seat_and_every_notice_names_the_case(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, clock: TestClock
) -> None:
    """The confirmation and both reminders carry the reference the booking's statement numbered.
    When an admin closes the catalogue's booking service, a resident's own refusal still comes
    first, then `service_closed`, and no seat is taken."""
    place = await new_place(client, database_url)
    citizen = await resident(client)
    tomorrow = clock.now.date() + timedelta(days=1)
    booked = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "10:00")), headers=citizen)
    assert booked.status_code == 201, booked.text
    told = await db.fetch(
        """SELECT template, params->>'reference' AS reference, params->>'place' AS place FROM notifications
           WHERE case_id = $1 ORDER BY created_at""",
        booked.json()["case_id"],
    )
    assert [row["template"] for row in told] == [
        "appointments.booked",
        "appointments.reminder_day",
        "appointments.reminder_hour",
    ]
    assert {(row["reference"], row["place"]) for row in told} == {(booked.json()["reference"], "Kantor Uji")}
    await db.execute("UPDATE catalogue_services SET is_open = false WHERE code = 'appointments.book'")
    try:
        again = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "11:00")), headers=citizen)
        assert (again.status_code, again.json()["code"]) == (409, "appointments_already_booked")
        closed = await client.post(
            "/v1/appointments", json=booking(place, at(tomorrow, "11:00")), headers=await resident(client)
        )
        assert (closed.status_code, closed.json()["code"]) == (409, "service_closed"), closed.text
    finally:
        await db.execute("UPDATE catalogue_services SET is_open = true WHERE code = 'appointments.book'")
    seats = await db.fetch("SELECT starts_at, booked FROM appointments.slot_seats WHERE place_code = $1", place)
    assert [(row["starts_at"], row["booked"]) for row in seats] == [(at(tomorrow, "10:00"), 1)]


async def test_an_ended_session_or_account_books_nothing_and_its_key_stays_free(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, clock: TestClock
) -> None:
    """Booking checks the account in its own first statement (authentication does not look it
    up first), and the Idempotency-Key's claim checks it too: a signed-out session or an erased
    account is refused 401 as elsewhere, with or without a key, nothing is written, and the key
    is not kept, so the resident who signs in again books with it."""
    place = await new_place(client, database_url)
    slot = at(clock.now.date() + timedelta(days=1), "09:00")
    phone = f"+62819{uuid.uuid4().int % 10**8:08d}"
    tokens = await resident_tokens(client, phone)
    signed_out = await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert signed_out.status_code == 204
    key = uuid.uuid4().hex
    for headers in (bearer(tokens), {**bearer(tokens), "Idempotency-Key": key}):
        refused = await client.post("/v1/appointments", json=booking(place, slot), headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.json()["status"] == 401
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    assert await db.fetchval("SELECT count(*) FROM appointments.bookings WHERE place_code = $1", place) == 0
    again = {**bearer(await resident_tokens(client, phone)), "Idempotency-Key": key}
    booked = await client.post("/v1/appointments", json=booking(place, slot), headers=again)
    assert booked.status_code == 201, booked.text
    assert (await client.post("/v1/appointments", json=booking(place, slot), headers=again)).json() == booked.json()
    # An erased account, with a key of its own and without.
    erased = await resident(client)
    assert (await client.delete("/v1/me", headers=erased)).status_code == 204
    for headers in (erased, {**erased, "Idempotency-Key": uuid.uuid4().hex}):
        refused = await client.post("/v1/appointments", json=booking(place, slot), headers=headers)
        assert refused.status_code == 401, refused.text
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 1
    assert await db.fetchval("SELECT count(*) FROM appointments.bookings WHERE place_code = $1", place) == 1


async def test_check_in_only_on_the_day_at_the_place_by_the_agency(
    client: AsyncTestClient[Litestar], database_url: str, clock: TestClock
) -> None:
    place = await new_place(client, database_url)
    elsewhere = await new_place(client, database_url)
    citizen = await resident(client)
    tomorrow = clock.now.date() + timedelta(days=1)
    made = (await client.post("/v1/appointments", json=booking(place, at(tomorrow, "09:00")), headers=citizen)).json()
    officer = await signed_in_staff(client, database_url, "officer", "DISDUKCAPIL")
    stranger = await signed_in_staff(client, database_url, "officer", "DPUPR")
    by_code = {"place_code": place, "code": made["check_in_code"]}

    wrong_day = await client.post("/v1/appointments/desk/check-in", json=by_code, headers=officer)
    assert (wrong_day.status_code, wrong_day.json()["code"]) == (409, "appointments_wrong_day")
    clock.now = at(tomorrow, "08:40")
    other_place = await client.post(
        "/v1/appointments/desk/check-in", json={**by_code, "place_code": elsewhere}, headers=officer
    )
    assert (other_place.status_code, other_place.json()["code"]) == (409, "appointments_wrong_place")
    assert (await client.post("/v1/appointments/desk/check-in", json=by_code, headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/appointments/{made['id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/appointments/{made['id']}", headers=await resident(client))).status_code == 404
    unknown = await client.post(
        "/v1/appointments/desk/check-in", json={"place_code": place, "code": "not-a-code"}, headers=officer
    )
    assert unknown.status_code == 404

    checked = await client.post(
        "/v1/appointments/desk/check-in",
        json={"place_code": place, "reference": made["reference"].lower()},
        headers=officer,
    )
    assert checked.status_code == 200, checked.text
    assert (checked.json()["status"], checked.json()["queue_number"]) == ("checked_in", 1)
    again = await client.post("/v1/appointments/desk/check-in", json=by_code, headers=officer)
    assert (again.status_code, again.json()["code"]) == (409, "appointments_not_waiting")
    walk_in = await client.post(
        "/v1/appointments/desk/walk-ins",
        json={"place_code": place, "service_code": "ktp_recording", "name": "Pak Darta"},
        headers=officer,
    )
    assert walk_in.status_code == 201, walk_in.text
    assert (walk_in.json()["walk_in"], walk_in.json()["queue_number"]) == (True, 2)
    assert (
        await client.post(
            "/v1/appointments/desk/walk-ins",
            json={"place_code": place, "service_code": "ktp_recording"},
            headers=stranger,
        )
    ).status_code == 404
    out_of_order = await client.post(f"/v1/appointments/desk/bookings/{made['id']}/finish", headers=officer)
    assert (out_of_order.status_code, out_of_order.json()["code"]) == (409, "appointments_wrong_step")
    for step, status in (("call", "called"), ("serve", "serving"), ("finish", "done")):
        moved = await client.post(f"/v1/appointments/desk/bookings/{made['id']}/{step}", headers=officer)
        assert moved.json()["status"] == status, moved.text
    queue = await client.get("/v1/appointments/desk/queue", params={"place": place}, headers=officer)
    assert [(item["queue_number"], item["status"]) for item in queue.json()["items"]] == [
        (1, "done"),
        (2, "checked_in"),
    ]
    assert (await client.get("/v1/appointments/desk/queue", params={"place": place}, headers=stranger)).json()[
        "items"
    ] == []
    case = (await client.get(f"/v1/cases/{made['case_id']}", headers=citizen)).json()
    assert case["status"] == "done"
    inbox = (await client.get("/v1/me/notifications", headers=citizen)).json()["items"]
    assert any("A-001" in item["message"] for item in inbox)


async def test_no_shows_and_reminders_follow_the_clock(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, clock: TestClock
) -> None:
    place = await new_place(client, database_url)
    citizen = await resident(client)
    tomorrow = clock.now.date() + timedelta(days=1)
    slot = at(tomorrow, "09:00")
    made = (await client.post("/v1/appointments", json=booking(place, slot), headers=citizen)).json()
    reminders = await db.fetch(
        "SELECT template, created_at FROM notifications WHERE case_id = $1 AND template LIKE '%reminder%' ORDER BY created_at",
        uuid.UUID(made["case_id"]),
    )
    assert [(row["template"], row["created_at"]) for row in reminders] == [
        ("appointments.reminder_day", slot - timedelta(days=1)),
        ("appointments.reminder_hour", slot - timedelta(hours=1)),
    ]
    database = await open_database(database_url, min_size=1, max_size=2, connect_timeout=5)
    engine = CaseEngine(WorkflowRegistry([appointments_module(clock=clock)]))
    try:
        # Not yet at the end of the slot (09:30), then at it.
        assert await mark_no_shows(database, engine, at(tomorrow, "09:29")) == 0
        assert await mark_no_shows(database, engine, at(tomorrow, "09:30")) == 1
    finally:
        await database.close()
    missed = (await client.get(f"/v1/appointments/{made['id']}", headers=citizen)).json()
    assert missed["status"] == "no_show"
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE case_id = $1 AND template = 'appointments.no_show'",
            uuid.UUID(made["case_id"]),
        )
        == 1
    )
    # The service can be booked again.
    clock.now = at(tomorrow, "10:00")
    again = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "13:00")), headers=citizen)
    assert again.status_code == 201, again.text


async def seats_of(db: asyncpg.Connection, place: str) -> dict[datetime, int]:
    rows = await db.fetch("SELECT starts_at, booked FROM appointments.slot_seats WHERE place_code = $1", place)
    return {row["starts_at"]: row["booked"] for row in rows}


async def test_cancel_reschedule_and_a_closed_day(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection, clock: TestClock
) -> None:
    place = await new_place(client, database_url, capacity=1, walk_in_percent=0)
    citizen, neighbour = await resident(client), await resident(client)
    day = clock.now.date() + timedelta(days=2)
    mine = (await client.post("/v1/appointments", json=booking(place, at(day, "09:00")), headers=citizen)).json()
    theirs = (await client.post("/v1/appointments", json=booking(place, at(day, "10:00")), headers=neighbour)).json()
    # Moving to a full slot keeps the old seat.
    full = await client.post(
        f"/v1/appointments/{mine['id']}/reschedule", json={"starts_at": at(day, "10:00").isoformat()}, headers=citizen
    )
    assert (full.status_code, full.json()["code"]) == (409, "appointments_slot_full")
    kept = (await client.get(f"/v1/appointments/{mine['id']}", headers=citizen)).json()
    assert datetime.fromisoformat(kept["starts_at"]) == at(day, "09:00")
    assert await seats_of(db, place) == {at(day, "09:00"): 1, at(day, "10:00"): 1}
    moved = await client.post(
        f"/v1/appointments/{mine['id']}/reschedule", json={"starts_at": at(day, "11:00").isoformat()}, headers=citizen
    )
    assert moved.status_code == 200, moved.text
    assert await seats_of(db, place) == {at(day, "09:00"): 0, at(day, "10:00"): 1, at(day, "11:00"): 1}
    reminder_times = await db.fetch(
        "SELECT created_at FROM notifications WHERE case_id = $1 AND template LIKE '%reminder%' ORDER BY created_at",
        uuid.UUID(mine["case_id"]),
    )
    assert [row["created_at"] for row in reminder_times] == [
        at(day, "11:00") - timedelta(days=1),
        at(day, "11:00") - timedelta(hours=1),
    ]
    # Someone else's booking is not found.
    assert (await client.post(f"/v1/appointments/{theirs['id']}/cancel", headers=citizen)).status_code == 404

    # The office closes that day: the neighbour's booking (and mine) are cancelled and they are told.
    admin = await signed_in_staff(client, database_url, "admin", None)
    closed = await client.put(
        f"/v1/appointments/closures/{day.isoformat()}",
        json={"reason": "Pemadaman listrik", "place_code": place},
        headers=admin,
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["cancelled"] == 2
    told = await db.fetchval(
        "SELECT params FROM notifications WHERE case_id = $1 AND template = 'appointments.day_closed'",
        uuid.UUID(theirs["case_id"]),
    )
    assert "Pemadaman listrik" in told
    # Booking that day is refused with the admin's reason (read with the schedule, in one round trip).
    on_closed_day = await client.post("/v1/appointments", json=booking(place, at(day, "15:00")), headers=neighbour)
    assert (on_closed_day.status_code, on_closed_day.json()["code"]) == (409, "appointments_day_closed")
    assert "Pemadaman listrik" in on_closed_day.json()["detail"]
    assert (await client.get(f"/v1/appointments/{theirs['id']}", headers=neighbour)).json()["status"] == "office_closed"
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE case_id = $1 AND template LIKE '%reminder%'",
            uuid.UUID(theirs["case_id"]),
        )
        == 0
    )
    slots = await day_slots(client, place, day)
    assert slots.json()["items"] == []
    assert slots.json()["closed"][0]["reason"]["id"] == "Pemadaman listrik"
    reopened = await client.delete(
        f"/v1/appointments/closures/{day.isoformat()}", params={"place": place}, headers=admin
    )
    assert reopened.status_code == 204
    # Cancelling after the cut-off is refused.
    booked = (await client.post("/v1/appointments", json=booking(place, at(day, "15:00")), headers=citizen)).json()
    clock.now = at(day, "13:30")
    late = await client.post(f"/v1/appointments/{booked['id']}/cancel", headers=citizen)
    assert (late.status_code, late.json()["code"]) == (409, "appointments_past_cutoff")


async def test_admins_edit_services_places_and_schedules(client: AsyncTestClient[Litestar], database_url: str) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", "DISDUKCAPIL")
    service = {
        "title": {"id": "Legalisir dokumen", "en": "Document legalisation"},
        "documents": [{"id": "Dokumen asli", "en": "The original document"}],
        "opd_code": "DISDUKCAPIL",
        "duration_minutes": 10,
    }
    assert (
        await client.put("/v1/appointments/services/legalisation", json=service, headers=officer)
    ).status_code == 403
    saved = await client.put("/v1/appointments/services/legalisation", json=service, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["places"] == []  # offered nowhere until a schedule says so
    unknown_agency = await client.put(
        "/v1/appointments/services/legalisation", json={**service, "opd_code": "NOPE"}, headers=admin
    )
    assert [error["field"] for error in unknown_agency.json()["errors"]] == ["opd_code"]
    broken: dict[str, Any] = {
        "hours": [
            {"weekday": 0, "opens": "10:00", "closes": "09:00"},
            {"weekday": 1, "opens": "08:00", "closes": "12:00"},
            {"weekday": 1, "opens": "11:00", "closes": "14:00"},
        ],
        "slot_minutes": 30,
        "capacity": 2,
    }
    refused = await client.put(
        "/v1/appointments/places/disdukcapil_office/schedules/legalisation", json=broken, headers=admin
    )
    assert (refused.status_code, [error["field"] for error in refused.json()["errors"]]) == (
        422,
        ["hours[0].closes", "hours[2]"],
    )
    fixed = {**broken, "hours": broken["hours"][1:2]}
    saved_schedule = await client.put(
        "/v1/appointments/places/disdukcapil_office/schedules/legalisation", json=fixed, headers=admin
    )
    assert saved_schedule.status_code == 200, saved_schedule.text
    assert (
        await client.put("/v1/appointments/places/nowhere/schedules/legalisation", json=fixed, headers=admin)
    ).status_code == 404
    listed = {item["code"]: item for item in (await client.get("/v1/appointments/services")).json()["items"]}
    assert listed["legalisation"]["places"] == ["disdukcapil_office"]
    assert len(listed) == 7
    places = {item["code"]: item for item in (await client.get("/v1/appointments/places")).json()["items"]}
    assert "legalisation" in places["disdukcapil_office"]["services"]
    closed = await client.put(
        "/v1/appointments/services/legalisation", json={**service, "is_active": False}, headers=admin
    )
    assert closed.json()["is_active"] is False
    assert "legalisation" not in {
        item["code"] for item in (await client.get("/v1/appointments/services")).json()["items"]
    }


async def test_my_bookings_come_a_page_at_a_time(
    client: AsyncTestClient[Litestar], database_url: str, clock: TestClock
) -> None:
    place = await new_place(client, database_url)
    citizen, other = await resident(client), await resident(client)
    tomorrow = clock.now.date() + timedelta(days=1)
    made = []
    for clock_time in ("09:00", "10:00", "11:00"):
        booked = await client.post("/v1/appointments", json=booking(place, at(tomorrow, clock_time)), headers=citizen)
        assert booked.status_code == 201, booked.text
        made.append(booked.json()["id"])
        if clock_time != "11:00":  # one active booking per service: cancel before booking again
            await client.post(f"/v1/appointments/{made[-1]}/cancel", headers=citizen)
    theirs = await client.post("/v1/appointments", json=booking(place, at(tomorrow, "12:00")), headers=other)
    assert theirs.status_code == 201, theirs.text
    first = await client.get("/v1/appointments", params={"limit": 2}, headers=citizen)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await client.get("/v1/appointments", params={"limit": 2, "cursor": cursor}, headers=citizen)
    assert second.status_code == 200, second.text
    assert second.json()["next_cursor"] is None
    pages = [item["id"] for item in first.json()["items"]] + [item["id"] for item in second.json()["items"]]
    # Two pages, latest slot first, each booking once, none of the other resident's.
    assert pages == list(reversed(made))
    # A cursor belongs to the list it came from: another resident's list refuses it.
    foreign = await client.get("/v1/appointments", params={"cursor": cursor}, headers=other)
    assert foreign.status_code == 422
    assert [error["field"] for error in foreign.json()["errors"]] == ["cursor"]
    whole = (await client.get("/v1/appointments", headers=other)).json()
    assert ([item["id"] for item in whole["items"]], whole["next_cursor"]) == ([theirs.json()["id"]], None)
