"""The region's time zone over real HTTP (issue 25): an app set to Kota Denpasar (51.71, WITA) or
Kota Jayapura (91.71, WIT) counts due times, reference numbers, this month's figures and the
appointment slots in its own local time, and the database recounts the statistics' months when
the region moves to another zone.

The street-lamp cases here have no district, and the test office stands in a district of the
configured city (its districts are loaded at start-up, docs/regions.md): the zone follows the
configured region. The cities' boundaries are stand-ins (tests/support/boundaries/).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from litestar.testing import AsyncTestClient

from serang_app.modules.appointments import appointments_module
from serang_app.modules.appointments.timetable import public_holiday
from tests.conftest import app_for
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.lamps_module import LAMPS

DENPASAR, JAYAPURA, SERANG = "51.71", "91.71", "36.04"
STAND_IN_BOUNDARIES = str(Path(__file__).parent / "support" / "boundaries")
MAKASSAR_ZONE, JAYAPURA_ZONE = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")


def local(text: str, zone: tzinfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


class SetClock:
    """A clock the test sets: the case engine's or the appointments module's."""

    __test__ = False

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def lamps_app(database_url: str, region: str, now: Callable[[], datetime]) -> AsyncIterator[Any]:
    """The app with the street-lamp module (lamps.repair: DPUPR, an SLA of 3 working days), set to
    `region`, its case engine's clock at `now`."""
    app = app_for(
        database_url,
        modules=[LAMPS],
        SERANG_REGION_CODE=region,
        SERANG_REGION_BOUNDARIES_DIR=STAND_IN_BOUNDARIES,
        SERANG_RATE_LIMIT_PER_MINUTE="0",
        SERANG_RUN_WORKER_IN_PROCESS="false",
    )
    async with AsyncTestClient(app) as client:
        client.app.state.case_engine = dataclasses.replace(client.app.state.case_engine, now=now)
        yield client


async def report_lamp(client: Any, resident: dict[str, str]) -> dict[str, Any]:
    created = await client.post("/v1/lamps/requests", json={"pole_number": "PJU-7"}, headers=resident)
    assert created.status_code == 201, created.text
    seen = await client.get(f"/v1/cases/{created.json()['case_id']}", headers=resident)
    assert seen.status_code == 200, seen.text
    case: dict[str, Any] = seen.json()
    return case


async def test_a_case_filed_at_half_past_four_on_friday_is_due_at_local_midnight(database_url: str) -> None:
    """Friday 4 December 2026, 16:30 local time; three working days (Mon 7, Tue 8, Wed 9), so due
    at the local midnight that ends Wednesday, whose instant differs by zone."""
    for region, zone in ((DENPASAR, MAKASSAR_ZONE), (JAYAPURA, JAYAPURA_ZONE)):
        filed = local("2026-12-04 16:30", zone)
        async with lamps_app(database_url, region, SetClock(filed)) as client:
            resident = bearer(await resident_tokens(client, f"+62812{uuid.uuid4().int % 10**8:08d}"))
            case = await report_lamp(client, resident)
        due = datetime.fromisoformat(case["due_at"])
        assert due == local("2026-12-10 00:00", zone), region
        assert due.astimezone(zone).time().isoformat() == "00:00:00"


async def test_the_local_day_decides_receipt_and_the_reference_month(database_url: str) -> None:
    """Monday 30 November 2026, 23:30 WIB is already Tuesday 1 December in Denpasar: the case is
    received on Tuesday there, due after Wed 2, Thu 3, Fri 4, numbered in December."""
    instant = local("2026-11-30 23:30", ZoneInfo("Asia/Jakarta"))
    async with lamps_app(database_url, DENPASAR, lambda: instant) as client:
        resident = bearer(await resident_tokens(client, "+6281255550001"))
        case = await report_lamp(client, resident)
    assert datetime.fromisoformat(case["due_at"]) == local("2026-12-05 00:00", MAKASSAR_ZONE)
    assert case["reference"].startswith("LMP-2612-")


async def public_month(client: Any) -> tuple[str, int]:
    """This month (per the app) and the cases DPUPR received in it, from the public figures."""
    response = await client.get("/v1/stats/public")
    assert response.status_code == 200, response.text
    stats = response.json()
    received = next((agency["received"] for agency in stats["agencies"] if agency["opd_code"] == "DPUPR"), 0)
    return stats["month"], received


async def test_statistics_months_follow_the_region_and_are_recounted_when_it_moves(
    database_url: str, db: asyncpg.Connection
) -> None:
    """A case received on 30 November 23:30 WIB counts in November in Serang and in December in
    Jayapura (01:30 WIT). Starting the same database as Jayapura recounts it into December."""
    instant = local("2026-11-30 16:30", UTC)  # 23:30 WIB, 01:30 WIT the next day
    async with lamps_app(database_url, SERANG, lambda: instant) as client:
        resident = bearer(await resident_tokens(client, "+6281255550002"))
        await report_lamp(client, resident)
        assert await public_month(client) == ("2026-11", 1)
    assert await db.fetchval("SELECT name FROM region_time_zone") == "Asia/Jakarta"

    async with lamps_app(database_url, JAYAPURA, lambda: instant) as client:
        assert await db.fetchval("SELECT name FROM region_time_zone") == "Asia/Jayapura"
        assert await public_month(client) == ("2026-12", 1)
        # Nothing is left in November: the summaries were counted again, not added to.
        assert await received_in(db, date(2026, 11, 1)) == 0
        # A case filed now is counted by the trigger in the month the app calls this one.
        await report_lamp(client, resident)
        assert await received_in(db, date(2026, 12, 1)) == 2

    # Back to Serang: November again, and one start-up does not count anything twice.
    async with lamps_app(database_url, SERANG, lambda: instant) as client:
        assert await public_month(client) == ("2026-11", 2)
    async with lamps_app(database_url, SERANG, lambda: instant) as client:
        assert await public_month(client) == ("2026-11", 2)


async def received_in(db: asyncpg.Connection, month: date) -> int:
    """Cases received in `month` as the summaries hold them (folded or pending)."""
    received: int = await db.fetchval(
        """SELECT coalesce(sum(received), 0) FROM (SELECT received, month FROM stats_monthly
           UNION ALL SELECT received, month FROM stats_monthly_pending) AS counted WHERE month = $1""",
        month,
    )
    return received


def ordinary_day(after: date) -> date:
    day = after
    while public_holiday(day) or public_holiday(day + timedelta(days=1)):
        day += timedelta(days=1)
    return day


async def test_appointment_slots_are_at_local_opening_hours_in_wita(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    """An office open 08:00-16:00 in Denpasar offers its first slot at 08:00 WITA (00:00 UTC), its
    last at 15:30 WITA, and tells the resident the time in WITA."""
    today = ordinary_day(datetime.now(MAKASSAR_ZONE).date() + timedelta(days=7))
    clock = SetClock(local(f"{today.isoformat()} 07:00", MAKASSAR_ZONE))
    app = app_for(
        database_url,
        modules=[appointments_module(clock=clock)],
        SERANG_REGION_CODE=DENPASAR,
        SERANG_REGION_BOUNDARIES_DIR=STAND_IN_BOUNDARIES,
        SERANG_RATE_LIMIT_PER_MINUTE="0",
        SERANG_RUN_WORKER_IN_PROCESS="false",
        SERANG_DATA_DIR=str(tmp_path / "data"),
    )
    async with AsyncTestClient(app) as client:
        admin = await signed_in_staff(client, database_url, "admin", None)
        place = f"test_{uuid.uuid4().hex[:8]}"
        office = {
            "name": "Kantor Uji",
            "address": "Jl. Uji 1",
            "district_code": "51.71.01",
            "latitude": -8.65,
            "longitude": 115.22,
        }
        assert (await client.put(f"/v1/appointments/places/{place}", json=office, headers=admin)).status_code == 200
        every_day = [{"weekday": weekday, "opens": "08:00", "closes": "16:00"} for weekday in range(7)]
        schedule = {
            "hours": every_day,
            "slot_minutes": 30,
            "capacity": 4,
            "walk_in_percent": 25,
            "horizon_days": 14,
            "cutoff_minutes": 120,
        }
        saved = await client.put(
            f"/v1/appointments/places/{place}/schedules/ktp_recording", json=schedule, headers=admin
        )
        assert saved.status_code == 200, saved.text

        tomorrow = today + timedelta(days=1)
        listed = await client.get(
            "/v1/appointments/slots",
            params={
                "service": "ktp_recording",
                "place": place,
                "from": tomorrow.isoformat(),
                "to": tomorrow.isoformat(),
            },
        )
        assert listed.status_code == 200, listed.text
        starts = [item["starts_at"] for item in listed.json()["items"]]
        assert starts[0] == f"{tomorrow.isoformat()}T08:00:00+08:00"
        assert starts[-1] == f"{tomorrow.isoformat()}T15:30:00+08:00"
        assert len(starts) == 16
        assert datetime.fromisoformat(starts[0]).astimezone(UTC).hour == 0

        resident = bearer(await resident_tokens(client, "+6281255550003"))
        booked = await client.post(
            "/v1/appointments",
            json={"service_code": "ktp_recording", "place_code": place, "starts_at": starts[0]},
            headers=resident,
        )
        assert booked.status_code == 201, booked.text
        # The same instant written in WIB is the same slot: 07:00 WIB is 08:00 WITA.
        assert datetime.fromisoformat(booked.json()["starts_at"]) == local(
            f"{tomorrow.isoformat()} 07:00", ZoneInfo("Asia/Jakarta")
        )
        told = await db.fetchval(
            "SELECT params->>'when' FROM notifications WHERE template = 'appointments.booked' AND case_id = $1",
            uuid.UUID(booked.json()["case_id"]),
        )
        assert told == f"{tomorrow.strftime('%d-%m-%Y')} 08:00 WITA"

        # The desk's "today" is the local day: at 00:30 WITA, still 23:30 WIB of the day before,
        # today's queue in Denpasar is that of the booked day.
        clock.now = local(f"{tomorrow.isoformat()} 00:30", MAKASSAR_ZONE)
        officer = await signed_in_staff(client, database_url, "officer", "DISDUKCAPIL")
        queue = await client.get("/v1/appointments/desk/queue", params={"place": place}, headers=officer)
        assert queue.status_code == 200, queue.text
        assert [item["id"] for item in queue.json()["items"]] == [booked.json()["id"]]
