"""Deprecated routes: announced to apps through headers on each answer and in the OpenAPI document.

    @get("/old-things", opt={"public": True}, **deprecated(since=date(2027, 1, 1), sunset=date(2027, 6, 30),
                                                           link="https://serangkab.go.id/api/changes"))

Each answer carries `Deprecation: @<seconds>` (RFC 9745: when the route became deprecated),
`Sunset: <HTTP-date>` (RFC 8594: when it may stop answering) and `Link` to the page that says
what to use instead (`rel="deprecation"`, and `rel="sunset"` for the same page); the operation is
marked `deprecated: true` and its headers are documented. The headers are static per route, so
they are Litestar's own `response_headers`, costing nothing per request; error answers add them
too (http/problems.py). docs/api-compatibility.md says how long a deprecated route keeps answering.

A field replaced by another one under a better name is annotated `replaced_by("new_name")`: it is
still sent, and the document marks it `deprecated: true` (http/openapi.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

import msgspec
from litestar.datastructures import ResponseHeader

HEADER_NAMES = ("Deprecation", "Sunset", "Link")


def replaced_by(field: str) -> msgspec.Meta:
    """The metadata of a field deprecated in favour of `field`, which holds the same value."""
    return msgspec.Meta(
        description=f"Deprecated: the same as `{field}`, which replaces it.", extra_json_schema={"deprecated": True}
    )


def deprecated(*, since: date, sunset: date | None = None, link: str | None = None) -> dict[str, Any]:
    """Keyword arguments for a route decorator marking the route deprecated since `since`."""
    headers = [
        ResponseHeader(
            name="Deprecation",
            value=f"@{int(_midnight(since).timestamp())}",
            description="The route is deprecated since this instant (RFC 9745); see Link.",
        )
    ]
    if sunset is not None:
        headers.append(
            ResponseHeader(
                name="Sunset",
                value=format_datetime(_midnight(sunset), usegmt=True),
                description="The route may stop answering after this instant (RFC 8594).",
            )
        )
    if link is not None:
        relations = "deprecation sunset" if sunset is not None else "deprecation"
        headers.append(
            ResponseHeader(
                name="Link",
                value=f'<{link}>; rel="{relations}"; type="text/html"',
                description="What to use instead.",
            )
        )
    return {"deprecated": True, "response_headers": headers}


def deprecation_headers(route_handler: Any) -> dict[str, str]:
    """The deprecation headers of a route, for answers built outside the handler (errors)."""
    if not getattr(route_handler, "deprecated", False):
        return {}
    return {
        header.name: header.value
        for header in route_handler.resolve_response_headers()
        if header.name in HEADER_NAMES and header.value is not None
    }


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
