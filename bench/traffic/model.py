"""The traffic model on paper: the peak hour's demand and the mix of requests that makes it up.

docs/performance.md ("The traffic model") explains every figure. `MIX` is the mix as stated there,
in percent of all requests; `JOURNEYS` is what the load generator (locustfile.py) actually does:
what a resident, an officer or the admin does on one visit, and how often. tests/test_traffic_model.py
checks that the journeys add up to the stated mix, so neither can drift from the other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

# Demand (issue 24): Kabupaten Serang's residents, the share with the app, the share of those
# active in the peak hour, and what each does in that hour.
RESIDENTS = 1_790_000
INSTALL_SHARE = 0.20
PEAK_HOUR_ACTIVE_SHARE = 0.05
REQUESTS_PER_ACTIVE_RESIDENT = 20
PLAN_FACTOR = 3


def peak_requests_per_second() -> float:
    """About 100 requests/s: 17,900 residents active in the hour, 20 requests each."""
    active = RESIDENTS * INSTALL_SHARE * PEAK_HOUR_ACTIVE_SHARE
    return active * REQUESTS_PER_ACTIVE_RESIDENT / 3600


PLANNED_REQUESTS_PER_SECOND = 300  # PLAN_FACTOR times the peak, rounded

# The surge (a flood, a road collapse): filing x20 for fifteen minutes, near one place, most with
# photos.
SURGE_FACTOR = 20
SURGE_SECONDS = 15 * 60
SURGE_PHOTO_SHARE = 0.8
# A complaint's photo as the app sends it: resized on the phone to 1600x1200 (a JPEG of camera
# noise and the phone's EXIF, bench/photo_load.py), not the camera's 12 megapixels.
PHOTO_SIZE = (1600, 1200)

# Between two visits of one user: residents come back after about a minute (the app opened,
# put away, opened again), officers act every few seconds while working the inbox, the admin
# reloads the statistics every half minute.
RESIDENT_VISIT_SECONDS = 60.0
OFFICER_VISIT_SECONDS = 6.0
ADMIN_VISIT_SECONDS = 30.0
# Access tokens live SERANG_ACCESS_TOKEN_SECONDS (900 s); the app refreshes at 80 % of that.
ACCESS_TOKEN_SECONDS = 900
REFRESH_AT_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class Journey:
    """One visit: who makes it, how often relative to the others of the same user kind, and the
    requests it sends, in order (a kind may appear more than once)."""

    name: str
    user: str  # "resident", "officer" or "admin"
    weight: int
    requests: tuple[str, ...]


PHOTO_UPLOAD = ("POST /v1/uploads", "PUT /v1/storage/{key}", "POST /v1/uploads/{id}/complete")

JOURNEYS: tuple[Journey, ...] = (
    Journey(
        "open_app",
        "resident",
        50,
        (
            "GET /v1/app/config",
            "GET /v1/services",
            "GET /v1/announcements",
            "GET /v1/me/notifications",
            "GET /v1/me/cases",
        ),
    ),
    Journey("follow_case", "resident", 16, ("GET /v1/me/cases", "GET /v1/cases/{id}")),
    Journey("read_inbox", "resident", 10, ("GET /v1/me/notifications", "POST /v1/me/notifications/read-all")),
    Journey(
        "file_complaint",
        "resident",
        2,
        ("GET /v1/complaints/categories", "GET /v1/complaints/nearby", *PHOTO_UPLOAD, "POST /v1/complaints"),
    ),
    Journey("support_nearby", "resident", 4, ("GET /v1/complaints/nearby", "POST /v1/complaints/{id}/support")),
    Journey("book_appointment", "resident", 3, ("GET /v1/appointments/slots", "POST /v1/appointments")),
    Journey(
        "book_and_cancel",
        "resident",
        1,
        ("GET /v1/appointments/slots", "POST /v1/appointments", "POST /v1/appointments/{id}/cancel"),
    ),
    Journey("apply_permit", "resident", 2, ("GET /v1/permits/types", "POST /v1/permits/applications")),
    Journey("rate_case", "resident", 2, ("GET /v1/me/cases", "POST /v1/cases/{id}/rating")),
    Journey(
        "work_inbox",
        "officer",
        1,
        ("GET /v1/staff/cases", "GET /v1/cases/{id}", "POST /v1/cases/{id}/actions/{action}"),
    ),
    Journey("statistics", "admin", 1, ("GET /v1/admin/stats",)),
)

# How many of each user kind at the planned rate (scaled with the rate): the residents make the
# load; a dozen officers at the agencies handling complaints and bookings; one admin.
OFFICERS = 12
ADMINS = 1


def journeys_of(user: str) -> tuple[Journey, ...]:
    return tuple(journey for journey in JOURNEYS if journey.user == user)


def requests_per_visit(user: str) -> float:
    """The mean number of requests of one visit of this user kind."""
    journeys = journeys_of(user)
    return sum(j.weight * len(j.requests) for j in journeys) / sum(j.weight for j in journeys)


@dataclass(frozen=True, slots=True)
class Population:
    residents: int
    officers: int
    admins: int


def population(requests_per_second: float) -> Population:
    """The users that make `requests_per_second` with the think times above: officers and the
    admin as stated (scaled down for a smaller rate), residents for the rest."""
    scale = min(1.0, requests_per_second / PLANNED_REQUESTS_PER_SECOND)
    officers = max(1, round(OFFICERS * scale))
    admins = ADMINS
    staff_rate = officers * requests_per_visit("officer") / OFFICER_VISIT_SECONDS
    staff_rate += admins * requests_per_visit("admin") / ADMIN_VISIT_SECONDS
    resident_rate = max(requests_per_second - staff_rate, 1.0)
    # A resident's own rate: a visit per think time, plus a refresh per token lifetime.
    per_resident = requests_per_visit("resident") / RESIDENT_VISIT_SECONDS
    per_resident += 1 / (ACCESS_TOKEN_SECONDS * REFRESH_AT_SHARE)
    return Population(residents=max(1, round(resident_rate / per_resident)), officers=officers, admins=admins)


def planned_mix(requests_per_second: float = PLANNED_REQUESTS_PER_SECOND) -> dict[str, float]:
    """Each request kind's share of all requests, in percent, from the journeys, the think times
    and the population at this rate."""
    people = population(requests_per_second)
    visits_per_second = {
        "resident": people.residents / RESIDENT_VISIT_SECONDS,
        "officer": people.officers / OFFICER_VISIT_SECONDS,
        "admin": people.admins / ADMIN_VISIT_SECONDS,
    }
    rates: defaultdict[str, float] = defaultdict(float)
    for user, visits in visits_per_second.items():
        journeys = journeys_of(user)
        total_weight = sum(j.weight for j in journeys)
        for journey in journeys:
            for kind in journey.requests:
                rates[kind] += visits * journey.weight / total_weight
    rates["POST /v1/auth/refresh"] += people.residents / (ACCESS_TOKEN_SECONDS * REFRESH_AT_SHARE)
    total = sum(rates.values())
    return {kind: 100 * rate / total for kind, rate in rates.items()}


# The mix as docs/performance.md states it, in percent of all requests at 300 requests/s
# (rounded to a tenth; the test allows half a point either way).
MIX: dict[str, float] = {
    "GET /v1/me/cases": 19.2,
    "GET /v1/me/notifications": 17.0,
    "GET /v1/app/config": 14.1,
    "GET /v1/services": 14.1,
    "GET /v1/announcements": 14.1,
    "GET /v1/cases/{id}": 5.2,
    "POST /v1/me/notifications/read-all": 2.8,
    "POST /v1/auth/refresh": 2.1,
    "GET /v1/complaints/nearby": 1.7,
    "POST /v1/complaints/{id}/support": 1.1,
    "GET /v1/appointments/slots": 1.1,
    "POST /v1/appointments": 1.1,
    "GET /v1/staff/cases": 0.7,
    "POST /v1/cases/{id}/actions/{action}": 0.7,
    "GET /v1/complaints/categories": 0.6,
    "POST /v1/uploads": 0.6,
    "PUT /v1/storage/{key}": 0.6,
    "POST /v1/uploads/{id}/complete": 0.6,
    "POST /v1/complaints": 0.6,
    "GET /v1/permits/types": 0.6,
    "POST /v1/permits/applications": 0.6,
    "POST /v1/cases/{id}/rating": 0.6,
    "POST /v1/appointments/{id}/cancel": 0.3,
    "GET /v1/admin/stats": 0.0,
}
