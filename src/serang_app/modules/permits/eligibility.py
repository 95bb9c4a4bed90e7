"""Who may apply: any resident, a resident of the region (a district on the profile), or one
with a NIK on file. Checked when the application is submitted, so a resident who completes the
profile meanwhile goes on with the same draft."""

from __future__ import annotations

import asyncpg

from serang_app.api import ApiError, CaseActor, applicant_of
from serang_app.modules.permits.versions import ServiceVersion


async def require_eligible(connection: asyncpg.Connection, actor: CaseActor, kind: ServiceVersion) -> None:
    rule = kind.definition.eligibility
    if rule == "any_resident":
        return
    assert actor.id is not None  # a resident submits
    applicant = await applicant_of(connection, actor.id)
    if applicant is None:
        raise ApiError(404)
    if rule == "regency_resident" and not applicant.lives_in_region:
        raise ApiError(409, "permits_not_eligible", params={"field": "district_code"}, extra={"field": "district_code"})
    if rule == "nik_on_file" and not applicant.has_nik:
        raise ApiError(409, "permits_not_eligible", params={"field": "nik"}, extra={"field": "nik"})
