"""/v1/admin/escalation: the escalation chains, kept by Diskominfosatik's admins.

Admins read and replace the default chain and any agency's own; officers and supervisors read
the chain their own agency follows and nothing else (another agency's answers 404, as a case of
another agency does). Every change is audited.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from serang_app.audit.log import record_by_caller
from serang_app.auth.principal import Principal
from serang_app.db.pool import Database
from serang_app.escalation import chains
from serang_app.escalation.schemas import Chain, ChainChange
from serang_app.http.problems import ApiError
from serang_app.opds.schemas import OPD_CODE_PATTERN

StaffRequest = Request[Principal, Any, Any]
OpdCodeInPath = Annotated[str, PathParameter(description="The agency's code, for example DPUPR.")]
_OPD_CODE = re.compile(OPD_CODE_PATTERN)
_MANAGE = {"permission": "escalation.manage"}
_DEFAULT = "default"  # the audit log's object id for the default chain


class EscalationController(Controller):
    path = "/v1/admin/escalation"
    tags = ("admin",)

    @get("/default", summary="The default escalation chain, which every agency without its own follows", opt=_MANAGE)
    async def read_default_chain(self, database: NamedDependency[Database]) -> Chain:
        async with database.acquire() as connection:
            return await chains.default_chain(connection)

    @put(
        "/default", summary="Replace the default escalation chain", status_code=200, opt={**_MANAGE, "problems": [422]}
    )
    async def replace_default_chain(
        self, request: StaffRequest, data: JSONBody[ChainChange], database: NamedDependency[Database]
    ) -> Chain:
        async with database.acquire() as connection, connection.transaction():
            chain = await chains.replace_chain(connection, None, data)
            await _audit_replaced(connection, request, _DEFAULT, data)
        return chain

    @get(
        "/agencies/{code:str}",
        summary="The escalation chain an agency follows: its own, or the default",
        opt={"permission": "escalation.read", "problems": [404]},
    )
    async def read_agency_chain(
        self, request: StaffRequest, code: OpdCodeInPath, database: NamedDependency[Database]
    ) -> Chain:
        if request.user.role != "admin" and request.user.opd_code != code:
            raise ApiError(404)  # another agency's: not the caller's business, like its cases
        async with database.acquire() as connection:
            await _require_agency(connection, code)
            return await chains.agency_chain(connection, code)

    @put(
        "/agencies/{code:str}",
        summary="Give an agency an escalation chain of its own, replacing the default for it",
        status_code=200,
        opt={**_MANAGE, "problems": [404, 422]},
    )
    async def replace_agency_chain(
        self,
        request: StaffRequest,
        code: OpdCodeInPath,
        data: JSONBody[ChainChange],
        database: NamedDependency[Database],
    ) -> Chain:
        async with database.acquire() as connection, connection.transaction():
            await _require_agency(connection, code)
            chain = await chains.replace_chain(connection, code, data)
            await _audit_replaced(connection, request, code, data)
        return chain

    @delete(
        "/agencies/{code:str}",
        summary="Remove an agency's own escalation chain: it follows the default again",
        opt={**_MANAGE, "problems": [404]},
    )
    async def remove_agency_chain(
        self, request: StaffRequest, code: OpdCodeInPath, database: NamedDependency[Database]
    ) -> None:
        async with database.acquire() as connection, connection.transaction():
            await _require_agency(connection, code)
            if await chains.remove_chain(connection, code):
                await record_by_caller(
                    connection,
                    request,
                    action="escalation.chain_removed",
                    object_type="escalation_chain",
                    object_id=code,
                )


async def _require_agency(connection: asyncpg.Connection, code: str) -> None:
    # A code no agency can have is unknown like any other (and never reaches the query).
    if not _OPD_CODE.fullmatch(code) or await connection.fetchval("SELECT 1 FROM opds WHERE code = $1", code) is None:
        raise ApiError(404)


async def _audit_replaced(
    connection: asyncpg.Connection, request: StaffRequest, object_id: str, change: ChainChange
) -> None:
    await record_by_caller(
        connection,
        request,
        action="escalation.chain_replaced",
        object_type="escalation_chain",
        object_id=object_id,
        # Codes and numbers only: the steps as saved.
        details={"steps": [[step.after_working_days, step.notify] for step in change.steps]},
    )
