"""Who acts: the request's caller (a resident or staff), or the system itself.

The request's actor belongs with identity, not with the rooms that act (cases, uploads,
announcements), so those rooms depend on auth and never on each other for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

from litestar import Request

from serang_app.auth.principal import Principal
from serang_app.http.request_id import request_id_of

ActorKind = Literal["resident", "staff", "system"]
# Who may take a workflow transition. "system" is the app's own code (a timer, another case's
# outcome); the HTTP API never acts as the system.
Actor = Literal["resident", "officer", "supervisor", "admin", "system"]
ACTORS: tuple[Actor, ...] = get_args(Actor)


@dataclass(frozen=True, slots=True)
class CaseActor:
    kind: ActorKind
    id: uuid.UUID | None
    role: Actor
    opd_code: str | None
    request_id: str | None

    @classmethod
    def of(cls, request: Request[Principal, Any, Any]) -> CaseActor:
        principal = request.user
        role: Actor = principal.role  # type: ignore[assignment]  # resident, officer, supervisor or admin
        return cls(
            kind=principal.kind,
            id=principal.id,
            role=role,
            opd_code=principal.opd_code,
            request_id=request_id_of(request.scope),
        )

    @classmethod
    def resident(cls, resident_id: uuid.UUID) -> CaseActor:
        """A resident acting outside a request (module code reading on their behalf)."""
        return cls(kind="resident", id=resident_id, role="resident", opd_code=None, request_id=None)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    def may_see(self, resident_id: uuid.UUID, opd_code: str) -> bool:
        """A resident sees their own cases, officers and supervisors their agency's, admins all.

        Callers answer 404, not 403, for a case the actor may not see: its existence is no one
        else's business (and ids must not be probed).
        """
        if self.role == "resident":
            return resident_id == self.id
        if self.role in ("officer", "supervisor"):
            return opd_code == self.opd_code
        return self.role in ("admin", "system")


# Code acting on its own (a timer, a sweep): sees every case, takes "system" transitions.
SYSTEM_ACTOR = CaseActor(kind="system", id=None, role="system", opd_code=None, request_id=None)
