"""The HTTP layer as a domain: the API docs' files, its own problem texts, and the tasks that
keep its tables (idempotency keys, write-limit windows) small."""

from __future__ import annotations

import structlog

from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.http.api_docs import swagger_assets
from serang_app.http.idempotency_store import delete_expired_keys
from serang_app.http.messages import HTTP_PROBLEMS
from serang_app.http.write_limits import delete_ended_windows
from serang_app.worker.context import WorkerContext

logger = structlog.get_logger("serang_app.worker")


async def _delete_expired_idempotency_keys(context: WorkerContext) -> None:
    deleted = await delete_expired_keys(context.database)
    if deleted:
        logger.info("idempotency_keys_deleted", count=deleted)


async def _delete_ended_write_limit_windows(context: WorkerContext) -> None:
    await delete_ended_windows(context.database)


HTTP = CoreDomain(
    name="http",
    public_routes=(swagger_assets(),),
    problems=HTTP_PROBLEMS,
    tasks=(
        # Expired keys are already ignored when read; this only keeps the table small.
        PeriodicTask("delete_expired_idempotency_keys", 15 * 60, _delete_expired_idempotency_keys),
        # Ended windows count as empty when read; this only keeps the table small.
        PeriodicTask("delete_ended_write_limit_windows", 15 * 60, _delete_ended_write_limit_windows),
    ),
)
