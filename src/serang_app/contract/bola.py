"""The BOLA probe: a resident must not reach another resident's objects through a module's routes.

Resident A makes objects through the module's own API (the module author's `make_objects` hook
answers the path parameters that name them); then resident B calls every route of the module
whose path parameters those fill, and the case API for every case A opened. Any 2xx answer to B
is a finding; so is an answer of a route without parameters (B's own list) that shows one of
A's objects. Public routes, and routes the author lists as open to other residents by design
(supporting someone else's public complaint), are left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import asyncpg
import httpx

from serang_app.auth.permissions import is_public
from serang_app.contract.checks import module_routes
from serang_app.contract.clients import app_client, signed_in_resident
from serang_app.contract.servers import TestServer
from serang_app.module_system.spec import ModuleSpec

# (client, A's Authorization header) -> path parameter values naming A's objects.
MakeObjects = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[Mapping[str, str]]]
_SENDS_A_BODY = {"POST", "PUT", "PATCH"}
# Values this long are ids (a UUID, a reference); shorter ones ("call", "ktp") name steps and
# document kinds, which any list may show.
_ID_LENGTH = 12


@dataclass(slots=True)
class ProbeReport:
    problems: list[str] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)  # "GET /v1/x/{id} -> 404"
    not_probed: list[str] = field(default_factory=list)  # routes whose parameters were not filled


async def probe_other_residents_objects(
    server: TestServer,
    spec: ModuleSpec,
    specs: list[ModuleSpec],
    make_objects: MakeObjects,
    open_to_other_residents: Mapping[str, str],
) -> ProbeReport:
    report = ProbeReport()
    async with app_client(server, specs) as (client, dsn):
        owner = await signed_in_resident(client, "+6281200000001")
        other = await signed_in_resident(client, "+6281200000002")
        values = dict(await make_objects(client, owner))
        for route in module_routes(client.app, spec):
            for handler in route.route_handlers:
                for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                    label = f"{method} {route.path_format}"
                    if is_public(handler) or label in open_to_other_residents:
                        continue
                    missing = [p for p in route.path_parameters if p not in values]
                    if missing:
                        report.not_probed.append(f"{label} (no value for {', '.join(missing)})")
                        continue
                    path = route.path_format.format(**{p: values[p] for p in route.path_parameters})
                    body: dict[str, object] | None = {} if method in _SENDS_A_BODY else None
                    response = await client.request(method, path, json=body, headers=other)
                    report.probed.append(f"{label} -> {response.status_code}")
                    if not 200 <= response.status_code < 300:
                        continue
                    if route.path_parameters:
                        report.problems.append(
                            f"{label} answered {response.status_code} to a resident who does not own {path}"
                        )
                    elif shown := [
                        value for value in values.values() if len(value) >= _ID_LENGTH and value in response.text
                    ]:
                        # A route of the caller's own (a list) that shows another's objects.
                        report.problems.append(f"{label} showed another resident's {', '.join(shown)}")
        for case_id in await _cases_of(dsn, owner, client):
            response = await client.get(f"/v1/cases/{case_id}", headers=other)
            report.probed.append(f"GET /v1/cases/{{case_id}} -> {response.status_code}")
            if response.status_code != 404:
                report.problems.append(
                    f"GET /v1/cases/{case_id} answered {response.status_code} to another resident (must be 404)"
                )
    return report


async def _cases_of(dsn: str, owner: dict[str, str], client: httpx.AsyncClient) -> list[uuid.UUID]:
    me = await client.get("/v1/me", headers=owner)
    resident_id = uuid.UUID(me.json()["id"])
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT id FROM cases WHERE resident_id = $1", resident_id)
    finally:
        await connection.close()
    return [row["id"] for row in rows]
