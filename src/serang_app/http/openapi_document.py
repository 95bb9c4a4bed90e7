"""The OpenAPI document as committed in openapi/openapi.json: stable key order, one trailing newline."""

from __future__ import annotations

import json

from serang_app.app import create_app
from serang_app.http.openapi import document_errors
from serang_app.settings import Settings


def render_openapi(settings: Settings) -> str:
    app = create_app(settings)
    document = document_errors(app).to_schema()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
