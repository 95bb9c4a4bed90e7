"""What a notification is about, for the app to act on without parsing the message: its kind,
a title, the case and its new status, and where to go (the case, and the module's own object).

Read from what every notification row already holds (source, template, params with the reference
and new status, the case id) and from the case it joins, so rows written before these fields
existed answer them too. The inbox and the push payload use the same reading.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import asyncpg
import msgspec

from serang_app.bilingual import Text
from serang_app.cases.module_objects import ModuleObject, module_object
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.workflow import Phase

# The heading of a notification that is about no case (or a service no longer listed) when the
# caller gives none; the app gives the deployment's own (identity/deployment.py: service_title).
GENERIC_TITLE = Text(id="Layanan pemerintah daerah", en="Local government services")
# The columns of `cases c` and `catalogue_services s` (both left-joined) the reading needs.
SUBJECT_COLUMNS = "c.module, c.workflow, c.reference AS case_reference, c.object_id, s.title AS service_title"
SUBJECT_JOINS = "LEFT JOIN cases c ON c.id = n.case_id LEFT JOIN catalogue_services s ON s.code = c.service_code"


class NotificationTarget(msgspec.Struct, kw_only=True):
    """Where the app goes on a tap: the screen, and what that screen reads."""

    screen: Literal["case"]
    case_id: uuid.UUID
    # GET this for the case (its status, timeline, actions).
    case_path: str
    # The module's own object behind the case (a permit application, a booking), when it has one.
    module_object: ModuleObject | None


class StaffNotificationTarget(msgspec.Struct, kw_only=True):
    """Where the officers' app goes on a tap: the case as staff work it."""

    screen: Literal["staff_case"]
    case_id: uuid.UUID
    # GET this for the case as staff see it (internal timeline entries, the actions of their role);
    # assignment and comments are under /v1/staff/cases/{case_id}/.
    case_path: str
    # The module's own object behind the case (a permit application to review), when it has one.
    module_object: ModuleObject | None


def staff_target(target: NotificationTarget | None) -> StaffNotificationTarget | None:
    """A notification's target as a staff member follows it."""
    if target is None:
        return None
    return StaffNotificationTarget(
        screen="staff_case", case_id=target.case_id, case_path=target.case_path, module_object=target.module_object
    )


class Subject(msgspec.Struct, kw_only=True):
    kind: str
    title: str
    reference: str | None
    status: str | None
    status_title: str | None
    phase: Phase | None
    target: NotificationTarget | None


def subject_of(
    row: asyncpg.Record, workflows: WorkflowRegistry, locale: str, fallback_title: Text = GENERIC_TITLE
) -> Subject:
    """`row`: a notification with SUBJECT_COLUMNS; `fallback_title` heads one about no service."""
    params: dict[str, Any] = row["params"] or {}
    registered = workflows.get(row["module"], row["workflow"]) if row["module"] else None
    status = params.get("status")
    state = registered.states.get(status) if registered and isinstance(status, str) else None
    case_id = row["case_id"]
    title = msgspec.convert(row["service_title"], Text) if row["service_title"] else fallback_title
    return Subject(
        kind=row["template"],
        title=title.in_locale(locale),
        reference=params.get("reference") or row["case_reference"],
        status=status if isinstance(status, str) else None,
        status_title=state.title.in_locale(locale) if state else None,
        phase=state.phase if state else None,
        target=None
        if case_id is None
        else NotificationTarget(
            screen="case",
            case_id=case_id,
            case_path=f"/v1/cases/{case_id}",
            module_object=module_object(
                row["module"], registered.workflow if registered else None, case_id, row["object_id"]
            ),
        ),
    )


def push_data(subject: Subject, recipient_kind: str = "resident") -> dict[str, str]:
    """The subject as FCM data (strings only; absent values left out), with the screen of the
    recipient's app (a staff member's: `staff_case`)."""
    values = {
        "kind": subject.kind,
        "reference": subject.reference,
        "status": subject.status,
        "phase": subject.phase,
    }
    target = subject.target if recipient_kind == "resident" else staff_target(subject.target)
    if target is not None:
        values["screen"] = target.screen
        if target.module_object is not None:
            values["object_kind"] = target.module_object.kind
            values["object_id"] = str(target.module_object.id)
            values["object_path"] = target.module_object.path
    return {key: value for key, value in values.items() if value is not None}
