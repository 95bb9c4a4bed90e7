"""The audit domain: the administrators' reading of the audit log."""

from __future__ import annotations

from serang_app.audit.routes import list_audit_entries
from serang_app.auth.permissions import Permission
from serang_app.declaration import CoreDomain

AUDIT = CoreDomain(
    name="audit",
    signed_in_routes=(list_audit_entries,),
    permissions=(Permission("audit.read", ("admin",), "Read the audit log"),),
)
