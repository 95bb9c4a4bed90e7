"""A module's own entry in a case's timeline, for what a module does to a case outside its
workflow (a complaint's text hidden from the public, and why)."""

from __future__ import annotations

import uuid

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.cases.events import record_event

_TOUCH = "UPDATE cases SET version = version + 1, updated_at = now() WHERE id = $1"


async def record_case_note(
    connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID, *, action: str, note: str
) -> None:
    """In the caller's transaction: a timeline entry of kind `comment` with the module's `action`
    code (`complaints.text_hidden`) and its note, which the case's resident and staff read (the
    public never reads notes), and its audit entry (`case.comment`, with the action). The case's
    version moves, as for a comment, so that apps holding the case know its timeline changed."""
    await connection.execute(_TOUCH, case_id)
    await record_event(connection, actor, case_id, "comment", action=action, note=note, is_public=True)
