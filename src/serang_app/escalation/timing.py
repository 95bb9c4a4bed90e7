"""When a case's steps fall due: pure, like the calendar it counts in.

A step of N working days falls due at the case's due time moved on by N working days
(WorkingCalendar.move_due): the due time of an SLA N working days longer, in the region's zone,
skipping weekends, holidays, collective leave and the admins' closed dates. A step of 0 falls
due with the case itself, as the one overdue notice before the chain did.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from serang_app.cases.calendar import WorkingCalendar
from serang_app.escalation.schemas import Step


def step_due_at(calendar: WorkingCalendar, case_due_at: datetime, step: Step) -> datetime:
    return calendar.move_due(case_due_at, step.after_working_days)


@dataclass(frozen=True, slots=True)
class StepsToTake:
    # Steps to take now, telling their staff.
    announced: tuple[Step, ...]
    # Steps to record as done without telling anyone (see `steps_to_take`).
    silent: tuple[Step, ...]

    def __bool__(self) -> bool:
        return bool(self.announced or self.silent)


def steps_to_take(
    calendar: WorkingCalendar,
    chain: Sequence[Step],
    done: Collection[int],
    *,
    case_due_at: datetime,
    told_before: bool,
    now: datetime,
) -> StepsToTake:
    """The steps of `chain` due at `now` and not in `done` (their positions), in order.

    `told_before`: the release before the chain marked the case overdue (overdue_notified_at) and
    told its supervisors, and no step is recorded. Such a case is taken up where it stands: the
    steps already due are recorded without telling anyone, so the first sweep after an upgrade
    does not send heads and admins a burst of every old overdue case; the later steps run as usual.
    """
    due = tuple(step for step in chain if step.position not in done and now >= step_due_at(calendar, case_due_at, step))
    if told_before and not done:
        return StepsToTake(announced=(), silent=due)
    return StepsToTake(announced=due, silent=())
