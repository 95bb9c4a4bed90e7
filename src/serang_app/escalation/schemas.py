"""Bodies and answers of the escalation chain API (/v1/admin/escalation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

# Who a step tells:
# - supervisors: the owning agency's active supervisors who are not its head;
# - agency_head: the owning agency's active head (a supervisor with is_agency_head);
# - integrating_agency: the integrating agency's admins (Diskominfosatik in the default region), the
#   staff who may open any agency's case. No agency code is written anywhere for it.
EscalationTarget = Literal["supervisors", "agency_head", "integrating_agency"]
ChainSource = Literal["agency", "default"]

MAX_STEPS = 10
# Two working months: beyond that a case has long been everyone's business.
MAX_WORKING_DAYS = 60

WorkingDays = Annotated[
    int,
    msgspec.Meta(
        ge=0,
        le=MAX_WORKING_DAYS,
        description="Working days past the case's due time, in the region's calendar; 0 is the due time itself.",
    ),
]


class StepChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    after_working_days: WorkingDays
    notify: EscalationTarget


class ChainChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The whole chain, replacing the one there was. Days strictly increase from step to step."""

    steps: Annotated[list[StepChange], msgspec.Meta(min_length=1, max_length=MAX_STEPS)]


class Step(msgspec.Struct, kw_only=True):
    # 1 for the first step, told when the case falls due (for a step of 0 days).
    position: int
    after_working_days: int
    notify: EscalationTarget


class Chain(msgspec.Struct, kw_only=True):
    # The agency whose chain this is; null for the default chain.
    opd_code: str | None
    # agency: the agency's own chain; default: it has none and follows the default chain.
    source: ChainSource
    steps: list[Step]
    # When these steps were saved (null only for a default chain someone emptied in the database).
    updated_at: datetime | None
