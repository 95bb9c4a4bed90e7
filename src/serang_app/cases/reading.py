"""Reading cases as the API shows them: summaries for lists, the detail with its timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from serang_app.auth.actor import CaseActor
from serang_app.bilingual import Text
from serang_app.cases.module_objects import module_object
from serang_app.cases.registry import RegisteredWorkflow, WorkflowRegistry
from serang_app.cases.schemas import AllowedAction, CaseDetail, CaseSummary, ServiceRef, TimelineEntry
from serang_app.cases.sla_clock import is_overdue

# The columns every summary needs; lists and the detail select them the same way.
SUMMARY_COLUMNS = """
c.id, c.reference, c.module, c.workflow, c.service_code, s.title AS service_title, c.status, c.phase,
c.due_at, c.paused_since, c.closed_at, c.rating, c.version, c.created_at, c.updated_at, c.object_id
"""
_DETAIL = f"""
SELECT {SUMMARY_COLUMNS}, c.resident_id, c.opd_code, c.district_code, c.assignee_id, c.sla_days,
       o.show_staff_names
FROM cases c
JOIN catalogue_services s ON s.code = c.service_code
JOIN opds o ON o.code = c.opd_code
WHERE c.id = $1
"""  # noqa: S608 (built from constants only)
_TIMELINE = """
SELECT e.at, e.kind, e.action, e.from_status, e.to_status, e.actor_role, e.note, e.is_public,
       st.name AS staff_name
FROM case_events e
LEFT JOIN staff st ON e.actor_kind = 'staff' AND st.id = e.actor_id
WHERE e.case_id = $1 AND (e.is_public OR $2)
ORDER BY e.id
"""


def summary_of(row: asyncpg.Record, workflows: WorkflowRegistry, now: datetime) -> CaseSummary:
    return CaseSummary(**_summary_fields(row, workflows, now))


def _summary_fields(row: asyncpg.Record, workflows: WorkflowRegistry, now: datetime) -> dict[str, Any]:
    registered = workflows.get(row["module"], row["workflow"])
    return {
        "id": row["id"],
        "reference": row["reference"],
        "module": row["module"],
        "service": ServiceRef(code=row["service_code"], title=msgspec.convert(row["service_title"], Text)),
        "status": row["status"],
        "status_title": workflows.state_title(row["module"], row["workflow"], row["status"]),
        "phase": row["phase"],
        "due_at": row["due_at"],
        "is_overdue": is_overdue(row["due_at"], row["paused_since"], row["closed_at"], now),
        "rating": row["rating"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "module_object": module_object(
            row["module"], registered.workflow if registered else None, row["id"], row["object_id"]
        ),
    }


async def read_visible_case(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID
) -> asyncpg.Record | None:
    """The case's row when the actor may see it; None (the caller answers 404) otherwise."""
    row = await connection.fetchrow(_DETAIL, case_id)
    if row is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        return None
    return row


async def detail_of(
    connection: asyncpg.Connection, row: asyncpg.Record, actor: CaseActor, workflows: WorkflowRegistry
) -> CaseDetail:
    events = await connection.fetch(_TIMELINE, row["id"], actor.is_staff)
    names_shown = actor.is_staff or row["show_staff_names"]
    timeline = [
        TimelineEntry(
            at=event["at"],
            kind=event["kind"],
            action=event["action"],
            from_status=event["from_status"],
            to_status=event["to_status"],
            actor_role=event["actor_role"],
            actor_name=event["staff_name"] if names_shown else None,
            note=event["note"],
            is_public=event["is_public"],
        )
        for event in events
    ]
    registered = workflows.get(row["module"], row["workflow"])
    attachments = await connection.fetch(
        "SELECT id FROM uploads WHERE case_id = $1 ORDER BY attached_at, id", row["id"]
    )
    return CaseDetail(
        **_summary_fields(row, workflows, datetime.now(UTC)),
        opd_code=row["opd_code"],
        district_code=row["district_code"],
        assignee_id=row["assignee_id"] if actor.is_staff else None,
        sla_days=row["sla_days"],
        is_paused=row["paused_since"] is not None,
        closed_at=row["closed_at"],
        allowed_actions=allowed_actions(registered, row["status"], actor) if registered else [],
        timeline=timeline,
        attachment_upload_ids=[attachment["id"] for attachment in attachments],
        attachments=[attachment["id"] for attachment in attachments],
    )


def allowed_actions(registered: RegisteredWorkflow, status: str, actor: CaseActor) -> list[AllowedAction]:
    """The actions this actor may take from this status through POST /v1/cases/{id}/actions
    (system transitions and those only a module's own route takes are not offered)."""
    return [
        AllowedAction(
            action=transition.action,
            title=transition.title,
            requires_note=transition.requires_note,
            requires_upload=transition.requires_upload,
            requires_opd=transition.reroutes,
        )
        for transition in registered.workflow.transitions
        if status in transition.source
        and actor.role in transition.actors
        and actor.role != "system"
        and not transition.module_route_only
    ]
