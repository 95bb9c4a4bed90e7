"""A booking's times in the region's zone as well as in UTC: the app shows `08:00 WIB` without
knowing which of Indonesia's three zones the regency is in (docs/time-zones.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# Booking's fields that come from the zone rather than from the row.
LOCAL_FIELDS = frozenset({"starts_at_local", "ends_at_local", "time_zone", "utc_offset"})


def utc_offset(moment: datetime, zone: ZoneInfo) -> str:
    """`+07:00`: the zone's offset at that moment (Indonesia has no daylight saving, but the
    offset is still read at the moment rather than assumed)."""
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None  # an aware datetime in a ZoneInfo always has one
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_times(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> dict[str, object]:
    return {
        "starts_at_local": starts_at.astimezone(zone),
        "ends_at_local": ends_at.astimezone(zone),
        "time_zone": zone.key,
        "utc_offset": utc_offset(starts_at, zone),
    }
