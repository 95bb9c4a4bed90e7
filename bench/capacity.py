"""The capacity model's arithmetic (docs/performance.md, "The capacity model"):
`python -m bench.capacity` prints the cores each part needs at the traffic model's mix.

The costs are CPU milliseconds per request, measured (M) on the busy machine of 2026-12-05 or
estimated (E) from the nearest measured request; the docs say which and how.
"""

from __future__ import annotations

from typing import NamedTuple

from bench.traffic.model import MIX, PLANNED_REQUESTS_PER_SECOND, SURGE_FACTOR, SURGE_PHOTO_SHARE


class Cost(NamedTuple):
    api_ms: float  # the web process
    database_ms: float  # PostgreSQL's backend
    check_ms: float = 0.0  # a photo's checking process
    measured: bool = False


COSTS: dict[str, Cost] = {
    "GET /v1/me/cases": Cost(0.55, 0.13, measured=True),
    "GET /v1/me/notifications": Cost(0.6, 0.15),
    "GET /v1/app/config": Cost(0.15, 0),
    "GET /v1/services": Cost(0.15, 0, measured=True),
    "GET /v1/announcements": Cost(0.15, 0),
    "GET /v1/cases/{id}": Cost(1.0, 0.3),
    "POST /v1/me/notifications/read-all": Cost(1.0, 0.5),
    "POST /v1/auth/refresh": Cost(2.0, 0.5),
    "GET /v1/complaints/nearby": Cost(0.35, 0.15, measured=True),
    "POST /v1/complaints/{id}/support": Cost(2.5, 2.0),
    "GET /v1/appointments/slots": Cost(1.6, 0.3, measured=True),
    "POST /v1/appointments": Cost(2.8, 2.8, measured=True),
    "GET /v1/staff/cases": Cost(1.0, 0.5),
    "POST /v1/cases/{id}/actions/{action}": Cost(3.0, 2.0),
    "GET /v1/complaints/categories": Cost(0.15, 0),
    "POST /v1/uploads": Cost(1.5, 1.0),
    "PUT /v1/storage/{key}": Cost(3.0, 0),
    "POST /v1/uploads/{id}/complete": Cost(2.0, 1.0, check_ms=120),
    "POST /v1/complaints": Cost(3.1, 2.3, measured=True),
    "GET /v1/permits/types": Cost(0.15, 0),
    "POST /v1/permits/applications": Cost(3.0, 2.5),
    "POST /v1/cases/{id}/rating": Cost(2.5, 2.0),
    "POST /v1/appointments/{id}/cancel": Cost(3.0, 2.5),
    "GET /v1/admin/stats": Cost(20, 20),
}
# What a surge filing asks besides the steady mix: the categories, nearby, the filing, and for
# most of them a photo (start, send, complete).
_SURGE_FILING = ("GET /v1/complaints/categories", "GET /v1/complaints/nearby", "POST /v1/complaints")
_SURGE_PHOTO = ("POST /v1/uploads", "PUT /v1/storage/{key}", "POST /v1/uploads/{id}/complete")
REGENCY_RESIDENTS = 1.79e6
BANTEN_RESIDENTS = 12.5e6
COUNTRY_RESIDENTS = 280e6


class Cores(NamedTuple):
    api: float
    database: float
    checks: float


def cores(requests_per_second: float, surge_filings_per_second: float = 0.0) -> Cores:
    """Cores busy at this rate of the steady mix, plus surge filings on top."""
    rates = {kind: share / 100 * requests_per_second for kind, share in MIX.items()}
    for kind in _SURGE_FILING:
        rates[kind] += surge_filings_per_second
    for kind in _SURGE_PHOTO:
        rates[kind] += surge_filings_per_second * SURGE_PHOTO_SHARE
    return Cores(
        api=sum(rate * COSTS[kind].api_ms for kind, rate in rates.items()) / 1000,
        database=sum(rate * COSTS[kind].database_ms for kind, rate in rates.items()) / 1000,
        checks=sum(rate * COSTS[kind].check_ms for kind, rate in rates.items()) / 1000,
    )


def main() -> None:
    regency = PLANNED_REQUESTS_PER_SECOND
    surge = MIX["POST /v1/complaints"] / 100 * regency * SURGE_FACTOR
    cases = (
        ("the regency, steady peak", regency, 0.0),
        ("the regency, surge", regency, surge),
        ("Banten, steady peak", regency * BANTEN_RESIDENTS / REGENCY_RESIDENTS, 0.0),
        ("Banten, one regency's surge", regency * BANTEN_RESIDENTS / REGENCY_RESIDENTS, surge),
        ("the country, steady peak", regency * COUNTRY_RESIDENTS / REGENCY_RESIDENTS, 0.0),
    )
    for name, rate, filings in cases:
        need = cores(rate, filings)
        print(
            f"{name:30} {rate:8,.0f} req/s + {filings:4.1f} surge filings/s: API {need.api:5.2f} cores, "
            f"photo checks {need.checks:5.2f}, PostgreSQL {need.database:5.2f}"
        )


if __name__ == "__main__":
    main()
