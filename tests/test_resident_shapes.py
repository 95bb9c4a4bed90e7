"""What the residents' app needs without guessing (issue 22): appointments' times in the region's
local time with the service's and place's names, an outdated privacy-policy consent as its own
problem, and one language per resident shared by the profile and the phones."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from serang_app.modules.appointments import appointments_module
from serang_app.modules.appointments.timetable import public_holiday
from tests.conftest import app_for
from tests.support.accounts import bearer, resident_tokens, signed_in_staff

DENPASAR = "51.71"  # a WITA region: local times are UTC+8
# Kota Denpasar's outline is a stand-in (tests/support/boundaries/): the region needs one to start.
STAND_IN_BOUNDARIES = str(Path(__file__).parent / "support" / "boundaries")
WITA = ZoneInfo("Asia/Makassar")
KTP = {"id": "Perekaman KTP-el", "en": "ID card (KTP-el) recording"}


def ordinary_day(after: date) -> date:
    day = after
    while public_holiday(day) or public_holiday(day + timedelta(days=1)):
        day += timedelta(days=1)
    return day


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    today = ordinary_day(datetime.now(WITA).date() + timedelta(days=7))
    clock: Callable[[], datetime] = lambda: datetime(today.year, today.month, today.day, 7, tzinfo=WITA)  # noqa: E731
    app = app_for(
        database_url,
        modules=[appointments_module(clock=clock)],
        SERANG_REGION_CODE=DENPASAR,
        SERANG_REGION_BOUNDARIES_DIR=STAND_IN_BOUNDARIES,
        SERANG_RATE_LIMIT_PER_MINUTE="0",
        SERANG_RUN_WORKER_IN_PROCESS="false",
        SERANG_DATA_DIR=str(tmp_path / "data"),
    )
    async with AsyncTestClient(app) as test_client:
        test_client.app.state.test_today = today
        yield test_client


async def resident(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    return bearer(await resident_tokens(client, f"+62818{uuid.uuid4().int % 10**8:08d}"))


async def office(client: AsyncTestClient[Litestar], database_url: str) -> str:
    admin = await signed_in_staff(client, database_url, "admin", None)
    place = f"test_{uuid.uuid4().hex[:8]}"
    details = {
        "name": "Kantor Uji",
        "address": "Jl. Uji 1",
        "district_code": "51.71.01",  # a district of Kota Denpasar, loaded at start-up
        "latitude": -8.6,
        "longitude": 115.2,
    }
    assert (await client.put(f"/v1/appointments/places/{place}", json=details, headers=admin)).status_code == 200
    schedule = {
        "hours": [{"weekday": weekday, "opens": "08:00", "closes": "10:00"} for weekday in range(7)],
        "slot_minutes": 30,
        "capacity": 4,
    }
    saved = await client.put(f"/v1/appointments/places/{place}/schedules/ktp_recording", json=schedule, headers=admin)
    assert saved.status_code == 200, saved.text
    return place


async def test_slots_and_bookings_carry_local_times_and_names(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    place = await office(client, database_url)
    tomorrow: date = client.app.state.test_today + timedelta(days=1)
    listed = await client.get(
        "/v1/appointments/slots",
        params={"service": "ktp_recording", "place": place, "from": tomorrow.isoformat(), "to": tomorrow.isoformat()},
    )
    assert listed.status_code == 200, listed.text
    slots = listed.json()
    assert (slots["service_title"], slots["place_name"]) == (KTP, "Kantor Uji")
    assert (slots["time_zone"], slots["utc_offset"]) == ("Asia/Makassar", "+08:00")
    first = slots["items"][0]
    assert first["starts_at_local"] == f"{tomorrow.isoformat()}T08:00:00+08:00"
    assert first["ends_at_local"] == f"{tomorrow.isoformat()}T08:30:00+08:00"

    citizen = await resident(client)
    # Booked with the instant written in UTC: the answer still gives it in WITA.
    in_utc = datetime.fromisoformat(first["starts_at"]).astimezone(UTC).isoformat()
    booked = await client.post(
        "/v1/appointments",
        json={"service_code": "ktp_recording", "place_code": place, "starts_at": in_utc},
        headers=citizen,
    )
    assert booked.status_code == 201, booked.text
    answer = booked.json()
    assert answer["starts_at_local"] == f"{tomorrow.isoformat()}T08:00:00+08:00"
    assert answer["ends_at_local"] == f"{tomorrow.isoformat()}T08:30:00+08:00"
    assert (answer["time_zone"], answer["utc_offset"]) == ("Asia/Makassar", "+08:00")
    assert datetime.fromisoformat(answer["starts_at_local"]) == datetime.fromisoformat(answer["starts_at"])
    assert (answer["service_title"], answer["place_name"], answer["place_address"]) == (KTP, "Kantor Uji", "Jl. Uji 1")
    # The same on reading it back, in the list, and at the agency's desk.
    read = await client.get(f"/v1/appointments/{answer['id']}", headers=citizen)
    assert read.json() == answer
    assert (await client.get("/v1/appointments", headers=citizen)).json()["items"] == [answer]
    officer = await signed_in_staff(client, database_url, "officer", "DISDUKCAPIL")
    queue = await client.get(
        "/v1/appointments/desk/queue", params={"place": place, "day": tomorrow.isoformat()}, headers=officer
    )
    assert queue.status_code == 200, queue.text
    assert queue.json()["items"][0]["place_name"] == "Kantor Uji"
    assert queue.json()["items"][0]["starts_at_local"] == answer["starts_at_local"]
    # Someone else's booking stays hidden.
    assert (await client.get(f"/v1/appointments/{answer['id']}", headers=await resident(client))).status_code == 404


async def test_an_outdated_consent_is_its_own_problem_naming_the_current_version(
    client: AsyncTestClient[Litestar],
) -> None:
    for language, words in (("id", "Setujui kebijakan privasi versi"), ("en", "Agree to the privacy policy version")):
        refused = await client.post(
            "/v1/auth/dev",
            json={"phone": "+6281299990001", "consent_policy_version": "2025-01"},
            headers={"Accept-Language": language},
        )
        assert refused.status_code == 422
        problem = refused.json()
        assert problem["code"] == "consent_outdated"
        assert problem["current_version"] == CURRENT_PRIVACY_POLICY
        assert f"{words} {CURRENT_PRIVACY_POLICY}" in problem["detail"]
        assert [error["field"] for error in problem["errors"]] == ["consent_policy_version"]
    # Not a string at all, or an unknown field: the ordinary invalid input.
    garbage = await client.post("/v1/auth/dev", json={"phone": "+6281299990001", "consent_policy_version": 2026})
    assert (garbage.status_code, garbage.json()["code"]) == (422, "invalid_input")
    extra = await client.post(
        "/v1/auth/dev",
        json={"phone": "+6281299990001", "consent_policy_version": CURRENT_PRIVACY_POLICY, "admin": True},
    )
    assert (extra.status_code, extra.json()["code"]) == (422, "invalid_input")
    accepted = await client.post(
        "/v1/auth/dev", json={"phone": "+6281299990001", "consent_policy_version": CURRENT_PRIVACY_POLICY}
    )
    assert accepted.status_code == 200


async def register(client: AsyncTestClient[Litestar], citizen: dict[str, str], installation: str, **extra: str) -> str:
    body = {
        "fcm_token": f"fcm-token-{installation}-aaaaaaaaaaaa",
        "platform": "android",
        "app_version": "1.0.0",
        **extra,
    }
    registered = await client.put(f"/v1/me/devices/{installation}", json=body, headers=citizen)
    assert registered.status_code == 200, registered.text
    locale: str = registered.json()["locale"]
    return locale


async def test_one_language_for_the_resident_and_every_phone(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    assert await register(client, citizen, "phone-one") == "id"
    assert await register(client, citizen, "phone-two") == "id"
    await db.execute("UPDATE devices SET topics_due_at = now() + interval '1 day'")
    # The profile's language is the phones' language: one call.
    changed = await client.patch("/v1/me", json={"locale": "en"}, headers=citizen)
    assert changed.status_code == 200, changed.text
    assert (await client.get("/v1/me", headers=citizen)).json()["locale"] == "en"
    phones = await db.fetch("SELECT locale, topics_due_at <= now() AS due FROM devices ORDER BY installation_id")
    assert [(row["locale"], row["due"]) for row in phones] == [("en", True), ("en", True)]
    # A new phone speaks the resident's language without being told.
    assert await register(client, citizen, "phone-three") == "en"
    # An old app still sends the device's locale: accepted, and it is the resident's one setting.
    assert await register(client, citizen, "phone-one", locale="id") == "id"
    assert (await client.get("/v1/me", headers=citizen)).json()["locale"] == "id"
    assert {row["locale"] for row in await db.fetch("SELECT locale FROM devices")} == {"id"}
    # Another resident's language is not touched, and unknown fields are still refused.
    other = await resident(client)
    assert await register(client, other, "phone-other") == "id"
    assert (await client.patch("/v1/me", json={"locale": "en"}, headers=citizen)).status_code == 200
    assert await db.fetchval("SELECT locale FROM devices WHERE installation_id = 'phone-other'") == "id"
    odd = await client.put(
        "/v1/me/devices/phone-one",
        json={"fcm_token": "fcm-token-phone-one-aaaaaaaaaaaa", "platform": "android", "app_version": "1", "tz": "x"},
        headers=citizen,
    )
    assert odd.status_code == 422
