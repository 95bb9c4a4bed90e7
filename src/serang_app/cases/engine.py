"""The case core as modules and routes use it: the workflows, the calendar, and the writes that
must happen together (state, timeline, audit, notification) in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.sla_clock import CalendarSource


@dataclass(frozen=True, slots=True)
class CaseEngine:
    workflows: WorkflowRegistry
    calendars: CalendarSource = field(default_factory=CalendarSource)
