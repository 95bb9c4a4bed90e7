"""The resident's rating and satisfaction survey of a completed case: once per case."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.auth.actor import SYSTEM_ACTOR, CaseActor
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import record_event
from serang_app.cases.schemas import RatingRequest
from serang_app.cases.transitions import take_action
from serang_app.http.problems import ApiError

_LOCK = "SELECT resident_id, opd_code, module, workflow, status, phase, rating FROM cases WHERE id = $1 FOR UPDATE"
_INSERT = """
INSERT INTO case_ratings (case_id, stars, comment, requirements, procedure, service_time, cost, product,
                          competence, behaviour, complaint_handling, facilities, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
"""
_RATE = "UPDATE cases SET rating = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version"


async def rate_case(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, rating: RatingRequest
) -> int:
    """Record the rating; then, if the workflow says so (`Transition.when_rated`), the core moves
    the case on as the system (a resolved complaint closes). Returns the case's new version."""
    row = await connection.fetchrow(_LOCK, case_id)
    # Only the resident who made the request rates it; to anyone else the case does not exist.
    if row is None or actor.role != "resident" or row["resident_id"] != actor.id:
        raise ApiError(404)
    if row["rating"] is not None:
        raise ApiError(409, "case_already_rated")
    if row["phase"] != "completed":
        raise ApiError(409, "case_not_rateable")
    survey = rating.survey
    await connection.execute(
        _INSERT,
        case_id,
        rating.stars,
        rating.comment,
        survey.requirements,
        survey.procedure,
        survey.service_time,
        survey.cost,
        survey.product,
        survey.competence,
        survey.behaviour,
        survey.complaint_handling,
        survey.facilities,
        engine.now(),
    )
    version: int = await connection.fetchval(_RATE, case_id, rating.stars)
    # The comment stays in case_ratings (read by the agency's statistics), not on the timeline.
    await record_event(connection, actor, case_id, "rated", is_public=True, audit_details={"stars": rating.stars})
    registered = engine.workflows.get(row["module"], row["workflow"])
    follow_up = (
        next(
            (t for t in registered.workflow.transitions if t.when_rated and row["status"] in t.source),
            None,
        )
        if registered
        else None
    )
    if follow_up is not None:
        version = await take_action(engine, connection, SYSTEM_ACTOR, case_id, follow_up.action, expected_version=None)
    return version
