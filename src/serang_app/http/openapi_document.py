"""The OpenAPI document as committed in openapi/openapi.json: stable key order, one trailing newline.

It is given the app it documents (cli.py builds it): the HTTP layer never imports the app.
"""

from __future__ import annotations

import json

from litestar import Litestar

from serang_app.http.openapi import document_errors


def render_openapi(app: Litestar) -> str:
    document = document_errors(app).to_schema()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
