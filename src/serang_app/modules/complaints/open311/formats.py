"""GeoReport v2's two formats: JSON, and XML with the element names the specification uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal
from xml.etree import ElementTree

import msgspec
from litestar import Response

from serang_app.api import writable

Format = Literal["json", "xml"]
# Litestar adds "; charset=utf-8" to text/* types itself; naming it here too sent it twice.
MEDIA_TYPES: dict[Format, str] = {"json": "application/json", "xml": "text/xml"}
# A list element holds items named by the singular (GeoReport v2's XML).
_ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    """Answered as GeoReport v2's error list: [{"code": status, "description": text}]."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def format_of(path: str) -> Format | None:
    """The format a path's suffix names (`.json` or `.xml`), and the path without it."""
    if path.endswith(".json"):
        return "json"
    if path.endswith(".xml"):
        return "xml"
    return None


def render(fmt: Format, root: str, payload: Any, status: int = 200) -> Response[bytes]:
    """`payload` is a list (under `root`, items named by its singular) or a mapping (as `root`)."""
    if fmt == "json":
        body = msgspec.json.encode(payload)
    else:
        element = _element(root, payload)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(element, encoding="utf-8")
    return Response(content=body, status_code=status, media_type=MEDIA_TYPES[fmt])


def error(fmt: Format, status: int, description: str) -> Response[bytes]:
    return render(fmt, "errors", [{"code": status, "description": description}], status)


def _element(tag: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, Mapping):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item_tag = _ITEM_TAGS.get(tag, "item")
        for item in value:
            element.append(_element(item_tag, item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # ElementTree writes any character, even one XML 1.0 cannot hold, and the document would
        # not parse: rows stored before the text rules (or by other means) must not break the feed.
        element.text = writable(str(value))
    return element
