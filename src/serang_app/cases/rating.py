"""The resident's rating and satisfaction survey of a completed case: once per case."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.cases.actors import CaseActor
from serang_app.cases.events import record_event
from serang_app.cases.schemas import RatingRequest
from serang_app.http.problems import ApiError

_LOCK = "SELECT resident_id, opd_code, phase, rating FROM cases WHERE id = $1 FOR UPDATE"
_INSERT = """
INSERT INTO case_ratings (case_id, stars, comment, requirements, procedure, service_time, cost, product,
                          competence, behaviour, complaint_handling, facilities)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
"""
_RATE = "UPDATE cases SET rating = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version"


async def rate_case(connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, rating: RatingRequest) -> int:
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
    )
    version: int = await connection.fetchval(_RATE, case_id, rating.stars)
    # The comment stays in case_ratings (read by the agency's statistics), not on the timeline.
    await record_event(connection, actor, case_id, "rated", is_public=True, audit_details={"stars": rating.stars})
    return version
