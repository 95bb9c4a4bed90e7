"""The module's settings and its clock, handed to its routes and tasks.

The clock is a parameter so that tests can drive time through the real HTTP API (cut-offs,
horizons, the day of check-in, no-shows); production uses the system clock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

DAILY_LIMIT_ENV = "SERANG_APPOINTMENTS_DAILY_LIMIT"
DEFAULT_DAILY_LIMIT = 3

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class BookingRules:
    # Bookings one resident may make in a (local) day, cancelled ones included: a seat cannot be
    # held by booking and cancelling over and over.
    daily_limit: int = DEFAULT_DAILY_LIMIT
    clock: Clock = field(default=system_clock)

    def now(self) -> datetime:
        return self.clock()


def rules_from_environment(environ: Mapping[str, str], clock: Clock = system_clock) -> BookingRules:
    value = environ.get(DAILY_LIMIT_ENV, "")
    if value == "":
        return BookingRules(clock=clock)
    if not value.isdigit() or not 1 <= int(value) <= 50:
        raise ValueError(f"{DAILY_LIMIT_ENV}: expected a number of bookings from 1 to 50, got {value!r}")
    return BookingRules(daily_limit=int(value), clock=clock)


def load_rules(clock: Clock = system_clock) -> BookingRules:
    return rules_from_environment(os.environ, clock)
