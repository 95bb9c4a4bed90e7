"""Writing audit entries, always on the connection (and so in the transaction) of the action."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import asyncpg
from litestar import Request

from serang_app.http.request_id import request_id_of

ActorKind = Literal["resident", "staff", "system", "anonymous"]

_INSERT = """
INSERT INTO audit_log (actor_kind, actor_id, action, object_type, object_id, request_id, details)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""


async def record(
    connection: asyncpg.Connection,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None,
    action: str,
    request_id: str | None,
    object_type: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Details hold ids and codes only: never names, phone numbers, NIKs or passwords."""
    await connection.execute(_INSERT, actor_kind, actor_id, action, object_type, object_id, request_id, details or {})


async def record_by_caller(
    connection: asyncpg.Connection,
    request: Request[Any, Any, Any],
    *,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An entry for an action of the signed-in caller, with the request's id."""
    principal = request.user
    await record(
        connection,
        actor_kind=principal.kind,
        actor_id=principal.id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        request_id=request_id_of(request.scope),
        details=details,
    )


async def record_by_system(
    connection: asyncpg.Connection,
    *,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An entry for what the system did without a signed-in caller (a command run by an operator,
    who is known only to the machine's own logs)."""
    await record(
        connection,
        actor_kind="system",
        actor_id=None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        request_id=None,
        details=details,
    )
