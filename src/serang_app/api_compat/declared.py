"""Breaking changes accepted on purpose, each with its reason and the release that ships it.

`openapi/breaking-changes.toml` lists them as the check prints them:

    [[accepted]]
    change = "GET /v1/things: operation removed"
    reason = "Replaced by GET /v1/items; announced with Sunset 2027-06-30, app 2.4 and later use it"
    release = "2027.07"

TOML because Python reads it without a dependency. `make release-spec` starts the next release's
list empty, since the released document then holds the changes.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from serang_app.api_compat.breaking import breaking_changes

RELEASED_PATH = Path("openapi/released/v1.json")
CURRENT_PATH = Path("openapi/openapi.json")
DECLARED_PATH = Path("openapi/breaking-changes.toml")
_EMPTY_DECLARATIONS = (
    "# Breaking changes to /v1 accepted since the last released document (docs/api-compatibility.md).\n"
    "# Each: [[accepted]] with change (as `serang-app api-compat` prints it), reason and release.\n"
)


class DeclarationError(ValueError):
    """The declarations file cannot be read or an entry lacks its reason or release."""


@dataclass(frozen=True, slots=True)
class Verdict:
    undeclared: list[str]
    declared: list[str]
    stale: list[str]  # declared but no longer found: the change was undone, or the text differs


def check(released: Path, current: Path, declared: Path) -> Verdict:
    changes = breaking_changes(_read(released), _read(current))
    accepted = accepted_changes(declared)
    return Verdict(
        undeclared=[change for change in changes if change not in accepted],
        declared=[change for change in changes if change in accepted],
        stale=sorted(accepted - set(changes)),
    )


def accepted_changes(path: Path) -> set[str]:
    if not path.exists():
        return set()
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("accepted", [])
    except tomllib.TOMLDecodeError as error:
        raise DeclarationError(f"{path}: {error}") from None
    accepted = set()
    for index, entry in enumerate(entries):
        missing = [key for key in ("change", "reason", "release") if not str(entry.get(key, "")).strip()]
        if missing:
            raise DeclarationError(f"{path}: accepted[{index}] lacks {', '.join(missing)}")
        accepted.add(str(entry["change"]))
    return accepted


def release(current: Path, released: Path, declared: Path) -> None:
    """The current document becomes the released one; the declarations start over."""
    released.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(current, released)
    declared.write_text(_EMPTY_DECLARATIONS, encoding="utf-8")


def _read(path: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document
