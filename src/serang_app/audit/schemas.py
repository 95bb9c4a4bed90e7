from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from serang_app.audit.log import ActorKind


class AuditEntry(msgspec.Struct, kw_only=True):
    id: int
    at: datetime
    actor_kind: ActorKind
    actor_id: uuid.UUID | None
    action: str
    object_type: str | None
    object_id: str | None
    request_id: str | None
    # Ids, codes and field names only: the writers never put personal data here.
    details: dict[str, Any]


class AuditPage(msgspec.Struct, kw_only=True):
    items: list[AuditEntry]
    next_cursor: str | None
