"""The app as `serang-app serve` has granian run it: a worker that cannot start says why in one line.

Litestar answers a failed start-up with its traceback as the lifespan message, which granian logs
before it logs the exception again and exits the worker. Here the traceback is replaced by the
one line, which also goes to the report file `serve` reads (startup/report.py). Requests pass
straight through: ``__call__`` hands back the app's own coroutine, adding no await.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import cast

import structlog
from litestar import Litestar
from litestar.types import (
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    LifeSpanSendMessage,
    Receive,
    Scope,
    Send,
)

from serang_app.asgi import app_from_environment
from serang_app.startup.allocator import fix_mmap_threshold
from serang_app.startup.failures import is_operator_error, one_line
from serang_app.startup.report import report_and_stop, report_path

logger = structlog.get_logger("serang_app.startup")


class ReportingStartup:
    def __init__(self, app: Litestar, report: Path | None) -> None:
        self.app = app
        self._report = report

    def __call__(
        self, scope: Scope | LifeSpanScope, receive: Receive | LifeSpanReceive, send: Send | LifeSpanSend
    ) -> Awaitable[None]:
        if scope["type"] == "lifespan":
            return self._lifespan(cast(LifeSpanScope, scope), receive, cast(LifeSpanSend, send))
        return self.app(scope, receive, send)

    async def _lifespan(self, scope: LifeSpanScope, receive: Receive | LifeSpanReceive, send: LifeSpanSend) -> None:
        started = False

        async def forward(message: LifeSpanSendMessage) -> None:
            nonlocal started
            if message["type"] == "lifespan.startup.failed":
                return  # the traceback; the one line is sent below instead
            started = started or message["type"] == "lifespan.startup.complete"
            await send(message)

        try:
            await self.app(scope, receive, forward)
        except Exception as error:
            if started:
                raise  # a failure at shutdown: granian's usual handling
            await send({"type": "lifespan.startup.failed", "message": _failed(error, self._report)})


def served_app() -> ReportingStartup:
    """granian's factory in `serve`: the app from the environment, reporting a failed start-up."""
    # In each HTTP process, forked or spawned, before its requests start freeing large buffers.
    fix_mmap_threshold()
    report = report_path()
    try:
        app = app_from_environment()
    except Exception as error:
        if report is None:
            raise
        _failed(error, report)
        sys.exit(3)
    return ReportingStartup(app, report)


def _failed(error: Exception, report: Path | None) -> str:
    """The error's one line, reported to `serve` when it started this process."""
    line = one_line(error)
    if not is_operator_error(error):
        # Not something the operator can fix: a bug, whose traceback belongs in the log.
        logger.error("startup_failed", exc_info=error)
    if report is not None:
        report_and_stop(report, line)
    return line
