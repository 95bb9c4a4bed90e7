"""The region's own holidays and collective leave, kept by admins on top of the national calendar
(issue 25): the kind of a closed date and its name in both languages, and how each kind counts for
an SLA, over HTTP in Kota Denpasar (WITA).

Days used: Friday 4 to Saturday 12 December 2026, no national holiday among them.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from litestar.testing import AsyncTestClient

from serang_app.cases.calendar import WorkingCalendar
from tests.conftest import app_for
from tests.support.accounts import bearer, resident_tokens, signed_in_staff
from tests.support.lamps_module import LAMPS

WITA = ZoneInfo("Asia/Makassar")
MONDAY, TUESDAY = date(2026, 12, 7), date(2026, 12, 8)


def test_the_regions_collective_leave_counts_like_the_national_one() -> None:
    """Closed for an SLA by default; open for a service staffed during collective leave."""
    closing = WorkingCalendar([TUESDAY], collective_leave_dates=[MONDAY])
    assert not closing.is_working_day(MONDAY)
    assert not closing.is_working_day(TUESDAY)
    assert closing.closed_dates == {MONDAY, TUESDAY}
    staffed = WorkingCalendar([TUESDAY], collective_leave_dates=[MONDAY], collective_leave_closed=False)
    assert staffed.is_working_day(MONDAY)
    assert not staffed.is_working_day(TUESDAY)
    assert staffed.closed_dates == {TUESDAY}


async def test_admins_add_regional_holidays_and_collective_leave_in_both_languages(
    database_url: str, db: asyncpg.Connection
) -> None:
    filed = datetime(2026, 12, 4, 16, 30, tzinfo=WITA)  # Friday, 16:30 WITA
    app = app_for(
        database_url,
        modules=[LAMPS],
        SERANG_REGION_CODE="51.71",
        # Kota Denpasar ships no boundary: a stand-in outline (tests/support/boundaries/).
        SERANG_REGION_BOUNDARIES_DIR=str(Path(__file__).parent / "support" / "boundaries"),
        SERANG_RATE_LIMIT_PER_MINUTE="0",
        SERANG_RUN_WORKER_IN_PROCESS="false",
    )
    async with AsyncTestClient(app) as client:
        client.app.state.case_engine = dataclasses.replace(client.app.state.case_engine, now=lambda: filed)
        admin = await signed_in_staff(client, database_url, "admin", None)
        resident = bearer(await resident_tokens(client, f"+62813{uuid.uuid4().int % 10**8:08d}"))

        async def due_of_a_new_case() -> datetime:
            created = await client.post("/v1/lamps/requests", json={"pole_number": "PJU-9"}, headers=resident)
            assert created.status_code == 201, created.text
            seen = await client.get(f"/v1/cases/{created.json()['case_id']}", headers=resident)
            return datetime.fromisoformat(seen.json()["due_at"])

        # Three working days after Friday: Mon 7, Tue 8, Wed 9.
        assert await due_of_a_new_case() == datetime(2026, 12, 10, tzinfo=WITA)

        holiday = {"reason": "Libur daerah", "reason_en": "Regional holiday", "kind": "regional_holiday"}
        saved = await client.put(f"/v1/admin/closed-dates/{TUESDAY}", json=holiday, headers=admin)
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"day": TUESDAY.isoformat(), **holiday}
        # Mon 7, Wed 9, Thu 10.
        assert await due_of_a_new_case() == datetime(2026, 12, 11, tzinfo=WITA)

        leave = {"reason": "Cuti bersama daerah", "reason_en": "Regional collective leave", "kind": "collective_leave"}
        assert (await client.put(f"/v1/admin/closed-dates/{MONDAY}", json=leave, headers=admin)).status_code == 200
        # Wed 9, Thu 10, Fri 11: collective leave closes the agencies, as the national one does.
        assert await due_of_a_new_case() == datetime(2026, 12, 12, tzinfo=WITA)

        listed = (await client.get("/v1/admin/closed-dates", headers=admin)).json()["items"]
        assert listed == [{"day": MONDAY.isoformat(), **leave}, {"day": TUESDAY.isoformat(), **holiday}]

        # A client that sends only the reason, as before kinds existed, saves a local closure with
        # no English name: PUT replaces the whole day.
        plain = await client.put(f"/v1/admin/closed-dates/{MONDAY}", json={"reason": "Banjir"}, headers=admin)
        assert plain.json() == {
            "day": MONDAY.isoformat(),
            "reason": "Banjir",
            "kind": "local_closure",
            "reason_en": None,
        }
        assert await db.fetchval("SELECT kind FROM closed_dates WHERE day = $1", MONDAY) == "local_closure"
        audited = await db.fetch(
            "SELECT action, object_id FROM audit_log WHERE object_type = 'closed_date' ORDER BY id"
        )
        assert [(row["action"], row["object_id"]) for row in audited] == [
            ("calendar.day_closed", TUESDAY.isoformat()),
            ("calendar.day_closed", MONDAY.isoformat()),
            ("calendar.day_closed", MONDAY.isoformat()),
        ]

        for wrong, field in (
            ({"reason": "Libur", "kind": "national_holiday"}, "kind"),
            ({"reason": "Libur", "reason_en": ""}, "reason_en"),
            ({"reason": "Libur", "reason_en": "Holiday\u202e"}, "reason_en"),
        ):
            refused = await client.put(f"/v1/admin/closed-dates/{MONDAY}", json=wrong, headers=admin)
            assert refused.status_code == 422, refused.text
            assert [error["field"] for error in refused.json()["errors"]] == [field]


async def test_days_closed_before_kinds_existed_read_as_local_closures(
    database_url: str, db: asyncpg.Connection
) -> None:
    await db.execute("INSERT INTO closed_dates (day, reason) VALUES ($1, 'Pindah kantor')", TUESDAY)
    app = app_for(database_url, SERANG_RATE_LIMIT_PER_MINUTE="0", SERANG_RUN_WORKER_IN_PROCESS="false")
    async with AsyncTestClient(app) as client:
        admin = await signed_in_staff(client, database_url, "admin", None)
        listed = (await client.get("/v1/admin/closed-dates", headers=admin)).json()["items"]
    assert listed == [
        {"day": TUESDAY.isoformat(), "reason": "Pindah kantor", "kind": "local_closure", "reason_en": None}
    ]
