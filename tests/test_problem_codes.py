"""The registry of problem codes (docs/problem-codes.md) is what the code answers."""

from __future__ import annotations

import re
from pathlib import Path

from serang_app.api_compat.problem_codes import REGISTRY_PATH, render_registry
from serang_app.domains import core_problems
from serang_app.http.field_messages import FIELD_MESSAGES

ROOT = Path(__file__).resolve().parent.parent


def test_the_registry_is_generated_from_the_code() -> None:
    written = (ROOT / REGISTRY_PATH).read_text(encoding="utf-8")
    assert written == render_registry(), "docs/problem-codes.md is stale: run `serang-app problem-codes`"


def test_every_code_has_its_status_and_every_field_kind_is_listed() -> None:
    registry = render_registry()
    rows = dict(re.findall(r"^\| `([a-z0-9_]+)` \| ([^|]+) \|", registry, flags=re.MULTILINE))
    for code in core_problems():
        assert code in rows, code
        assert re.fullmatch(r"\d{3}(, \d{3})*", rows[code].strip()), f"{code} is raised nowhere the registry can see"
    assert rows["nik_taken"].strip() == "409"
    assert rows["appointments_slot_full"].strip() == "409"  # a module's own code
    assert rows["upload_not_pdf"].strip() == "422"
    for kind in FIELD_MESSAGES:
        assert f"| `{kind}` | {FIELD_MESSAGES[kind][1]}" in registry, kind
