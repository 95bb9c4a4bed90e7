"""What the case API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.bilingual import Text
from serang_app.cases.module_objects import ModuleObject
from serang_app.cases.workflow import Actor, Phase
from serang_app.http.deprecation import replaced_by
from serang_app.http.text import MULTILINE_TEXT

Note = Annotated[
    str,
    msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=2000, description="Shown on the case's timeline."),
]
SurveyScore = Annotated[int, msgspec.Meta(ge=1, le=4)]
EventKind = Literal["created", "transition", "comment", "assigned", "rated", "overdue"]


class ServiceRef(msgspec.Struct, kw_only=True):
    code: str
    title: Text


class CaseSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: str
    module: str
    service: ServiceRef
    status: str
    status_title: Text
    phase: Phase
    due_at: datetime | None
    is_overdue: bool
    rating: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    # What the case's module made of it and where to read that (a permit application, a booking);
    # null when the module declares nothing of its own.
    module_object: ModuleObject | None


class CasePage(msgspec.Struct, kw_only=True):
    items: list[CaseSummary]
    next_cursor: str | None


class TimelineEntry(msgspec.Struct, kw_only=True):
    at: datetime
    kind: EventKind
    action: str | None
    from_status: str | None
    to_status: str | None
    actor_role: Actor
    # The staff member's name: always for staff; for residents only when the agency allows it.
    actor_name: str | None
    note: str | None
    is_public: bool


class AllowedAction(msgspec.Struct, kw_only=True):
    action: str
    title: Text
    requires_note: bool
    requires_upload: bool
    # The action hands the case to another agency, named in the request's `opd_code`.
    requires_opd: bool


class CaseDetail(CaseSummary, kw_only=True):
    opd_code: str
    district_code: str | None
    # Only staff see who holds the case.
    assignee_id: uuid.UUID | None
    sla_days: int | None
    is_paused: bool
    closed_at: datetime | None
    allowed_actions: list[AllowedAction]
    timeline: list[TimelineEntry]
    # Photos and documents attached to the case, as upload ids (like an action's `upload_ids`):
    # GET /v1/uploads/{id} gives their links.
    attachment_upload_ids: list[uuid.UUID]
    attachments: Annotated[list[uuid.UUID], replaced_by("attachment_upload_ids")]


class ActionRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    note: Note | None = None
    # Completed uploads of the caller's to attach to the case with this action.
    upload_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=5)] = msgspec.field(default_factory=list)
    # For an action that hands the case to another agency (forwarding): which one.
    opd_code: Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,30}$")] | None = None


class CommentRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    body: Note
    # Internal comments are for staff only; public ones reach the resident's timeline.
    public: bool = False


class AssignRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # null hands the case back to the agency's pool.
    assignee_id: uuid.UUID | None


class Survey(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The nine elements of PermenPANRB 14/2017, each 1 (poor) to 4 (very good)."""

    requirements: SurveyScore
    procedure: SurveyScore
    service_time: SurveyScore
    cost: SurveyScore
    product: SurveyScore
    competence: SurveyScore
    behaviour: SurveyScore
    complaint_handling: SurveyScore
    facilities: SurveyScore


class RatingRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    stars: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, max_length=1000)] | None = None
    survey: Survey
