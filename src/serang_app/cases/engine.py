"""The case core as modules and routes use it: the workflows, the calendar, the clock, and the
writes that must happen together (state, timeline, audit, notification) in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.sla_clock import CalendarSource


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CaseEngine:
    workflows: WorkflowRegistry
    calendars: CalendarSource = field(default_factory=CalendarSource)
    # When a case is received, moved, closed and rated. Tests replace it (dataclasses.replace on
    # app.state.case_engine) to build cases at chosen dates; everything else keeps the system's.
    now: Callable[[], datetime] = system_now

    @property
    def zone(self) -> ZoneInfo:
        """The region's time zone (SERANG_REGION_CODE's province): where the SLA's days begin, and
        what a module shows local times, days and months in."""
        return self.calendars.zone


def case_engine_for(workflows: WorkflowRegistry, zone: ZoneInfo) -> CaseEngine:
    """The engine of a process, its calendars in the region's zone (Settings.time_zone)."""
    return CaseEngine(workflows, CalendarSource(zone=zone))
