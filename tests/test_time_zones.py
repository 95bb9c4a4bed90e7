"""The region's time zone (issue 25): which zone each province keeps, the setting that chooses the
region, and working days counted in WITA (Kota Denpasar, 51.71) and WIT (Kota Jayapura, 91.71).

Days used: Friday 4 to Friday 11 December 2026, no holiday among them (Christmas leave starts on
the 24th). An SLA of N working days ends with the N-th working day after the day of receipt; the
due time is the local midnight after it (cases/calendar.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from serang_app.cases.calendar import JAKARTA, WorkingCalendar
from serang_app.regions.time_zones import PROVINCE_ZONES, UnknownProvinceError, time_zone_of_region
from serang_app.settings import SettingsError, load_settings

MAKASSAR = ZoneInfo("Asia/Makassar")
JAYAPURA = ZoneInfo("Asia/Jayapura")


def test_every_province_has_one_of_the_four_zones() -> None:
    assert len(PROVINCE_ZONES) == 38
    assert set(PROVINCE_ZONES.values()) == {"Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"}
    by_zone: dict[str, set[str]] = {}
    for province, zone in PROVINCE_ZONES.items():
        by_zone.setdefault(zone, set()).add(province)
    # Sumatra, its islands and Java; West and Central Kalimantan; the rest of Kalimantan, Bali,
    # Nusa Tenggara and Sulawesi; Maluku and the six Papua provinces.
    assert by_zone["Asia/Jakarta"] == {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21"} | {
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
    }
    assert by_zone["Asia/Pontianak"] == {"61", "62"}
    assert by_zone["Asia/Makassar"] == {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
    assert by_zone["Asia/Jayapura"] == {"81", "82", "91", "92", "93", "94", "95", "96"}


@pytest.mark.parametrize(
    ("region", "zone", "abbreviation", "offset_hours"),
    [
        ("36.04", "Asia/Jakarta", "WIB", 7),  # Kabupaten Serang
        ("61.71", "Asia/Pontianak", "WIB", 7),  # Kota Pontianak
        ("51.71", "Asia/Makassar", "WITA", 8),  # Kota Denpasar
        ("64.72", "Asia/Makassar", "WITA", 8),  # Kota Samarinda
        ("91.71", "Asia/Jayapura", "WIT", 9),  # Kota Jayapura
        ("91.71.01", "Asia/Jayapura", "WIT", 9),  # a district: its province decides too
    ],
)
def test_zone_of_a_region(region: str, zone: str, abbreviation: str, offset_hours: int) -> None:
    found = time_zone_of_region(region)
    assert found.key == zone
    noon = datetime(2026, 12, 4, 5, 0, tzinfo=UTC).astimezone(found)
    assert noon.tzname() == abbreviation
    assert noon.utcoffset() is not None
    assert noon.utcoffset().total_seconds() == offset_hours * 3600  # type: ignore[union-attr]


@pytest.mark.parametrize("region", ["99.01", "00.00", "37.01", "3604", "36.4", ""])
def test_a_region_outside_indonesia_has_no_zone(region: str) -> None:
    with pytest.raises(UnknownProvinceError):
        time_zone_of_region(region)


def test_the_setting_chooses_the_zone() -> None:
    assert load_settings({}).region_code == "36.04"
    assert load_settings({}).time_zone == JAKARTA
    assert load_settings({"SERANG_REGION_CODE": "51.71"}).time_zone == MAKASSAR
    assert load_settings({"SERANG_REGION_CODE": "91.71"}).time_zone == JAYAPURA


@pytest.mark.parametrize("value", ["3604", "36.04.01", "36-04", "x6.04"])
def test_a_malformed_region_code_stops_start_up_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^SERANG_REGION_CODE: "):
        load_settings({"SERANG_REGION_CODE": value})


def test_a_province_that_does_not_exist_stops_start_up() -> None:
    with pytest.raises(SettingsError, match=r"^SERANG_REGION_CODE: no Indonesian province has the code 99"):
        load_settings({"SERANG_REGION_CODE": "99.01"})


def local(text: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("zone", "working_days", "due"),
    [
        # Filed at 16:30 local time on Friday 4 December: received that Friday (day 0).
        pytest.param(MAKASSAR, 1, "2026-12-08 00:00", id="Denpasar 1 day: end of Monday"),
        pytest.param(MAKASSAR, 3, "2026-12-10 00:00", id="Denpasar 3 days: end of Wednesday"),
        pytest.param(JAYAPURA, 1, "2026-12-08 00:00", id="Jayapura 1 day: end of Monday"),
        pytest.param(JAYAPURA, 5, "2026-12-12 00:00", id="Jayapura 5 days: end of Friday"),
        pytest.param(JAKARTA, 3, "2026-12-10 00:00", id="Serang 3 days: end of Wednesday"),
    ],
)
def test_a_case_filed_at_half_past_four_on_friday_is_due_at_local_midnight(
    zone: ZoneInfo, working_days: int, due: str
) -> None:
    calendar = WorkingCalendar(zone=zone)
    filed = local("2026-12-04 16:30", zone)
    assert calendar.receipt_day(filed) == date(2026, 12, 4)
    assert calendar.due_at(filed, working_days) == local(due, zone).astimezone(UTC)
    assert calendar.due_at(filed, working_days).tzinfo == UTC


def test_the_local_day_decides_the_day_of_receipt() -> None:
    """The same instant, Friday 23:30 WIB, is already Saturday in WITA and WIT: received on Monday."""
    instant = local("2026-12-04 23:30", JAKARTA)
    assert WorkingCalendar(zone=JAKARTA).receipt_day(instant) == date(2026, 12, 4)
    assert WorkingCalendar(zone=MAKASSAR).receipt_day(instant) == date(2026, 12, 7)
    assert WorkingCalendar(zone=JAYAPURA).receipt_day(instant) == date(2026, 12, 7)
    # Three working days: Mon, Tue, Wed in Serang; Tue, Wed, Thu in Denpasar.
    assert WorkingCalendar(zone=JAKARTA).due_at(instant, 3) == local("2026-12-10 00:00", JAKARTA)
    assert WorkingCalendar(zone=MAKASSAR).due_at(instant, 3) == local("2026-12-11 00:00", MAKASSAR)


def test_pauses_and_elapsed_days_count_local_midnights() -> None:
    """Monday 21:30 to 22:30 WIB is 23:30 to 00:30 in WIT: the start of Tuesday falls inside the
    pause in Jayapura only, which costs the agency there one working day."""
    paused_from, paused_until = local("2026-12-07 21:30", JAKARTA), local("2026-12-07 22:30", JAKARTA)
    assert WorkingCalendar(zone=JAKARTA).paused_working_days(paused_from, paused_until) == 0
    assert WorkingCalendar(zone=JAYAPURA).paused_working_days(paused_from, paused_until) == 1
    # Completed Tuesday 22:30 WIB, which is Wednesday 00:30 WIT: Monday and Tuesday had begun in
    # Serang, and Wednesday too in Jayapura.
    received = local("2026-12-04 16:30", JAKARTA)
    completed = local("2026-12-08 22:30", JAKARTA)
    assert WorkingCalendar(zone=JAKARTA).working_days_between(received, completed) == 2
    assert WorkingCalendar(zone=JAYAPURA).working_days_between(received, completed) == 3
