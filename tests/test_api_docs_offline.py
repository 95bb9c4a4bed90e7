"""The API docs page needs no internet: every file it loads is served by the app itself."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.support.app_server import running_app

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

# What each kind of reference must answer with.
EXPECTED_TYPES = {"script": "text/javascript", "stylesheet": "text/css", "icon": "image/png"}


class _References(HTMLParser):
    """The URLs a browser fetches to draw the page: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("src"):
            self.found.append(("script", values["src"]))
        elif tag == "link" and values.get("href"):
            self.found.append((values.get("rel", ""), values["href"]))
        elif tag == "img" and values.get("src"):
            self.found.append(("icon", values["src"]))


def test_the_docs_pages_load_only_files_the_app_serves(database_url: str, tmp_path: Path) -> None:
    with running_app(database_url, tmp_path / "server.log") as base:
        for page in ("/schema", "/schema/swagger"):
            _check_page(base, page)


def _check_page(base: str, page: str) -> None:
    answer = httpx.get(base + page, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    parser = _References()
    parser.feed(answer.text)
    kinds = {kind for kind, _ in parser.found}
    assert {"script", "stylesheet", "icon"} <= kinds, parser.found
    for kind, reference in parser.found:
        parts = urlsplit(reference)
        assert (parts.scheme, parts.netloc) == ("", ""), f"{reference} is loaded from another host"
        asset = httpx.get(urljoin(base + page, reference), timeout=10)
        assert asset.status_code == 200, reference
        assert asset.headers["content-type"].split(";")[0] == EXPECTED_TYPES[kind], reference
        assert len(asset.content) > 100, reference
    scripts = [reference for kind, reference in parser.found if kind == "script"]
    bundle = httpx.get(urljoin(base, scripts[0]), timeout=10).text
    assert "SwaggerUIBundle" in bundle  # the real Swagger UI, what the page's own script calls
