"""`serang-app new-module NAME`: a working module package to start from.

The files under template/ are the package with a few tokens in them (__slug__, __dash__,
__Name__, __PREFIX__, __OPD__), replaced here; a file named `x.tmpl` is written as `x`, and the
folder `src/package` as `src/serang_{slug}`. The result passes the module contract as written
(tests/test_scaffold.py installs it into a fresh environment and runs its tests).
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from serang_app.module_system.validation import RESERVED_SLUGS, SLUG

_PREFIX = re.compile(r"^[A-Z]{2,5}$")
_OPD = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


class ScaffoldError(Exception):
    """The name, prefix or agency cannot make a module, or the folder is taken; says which."""


def default_prefix(slug: str) -> str:
    letters = re.sub(r"[^a-z]", "", slug).upper()
    return (letters + "XX")[:3]


def write_module(slug: str, parent: Path, *, opd_code: str = "DISKOMINFOSATIK", prefix: str | None = None) -> Path:
    """Write the package for module `slug` into parent/serang-{slug}; returns that folder."""
    if not SLUG.match(slug) or "__" in slug:
        raise ScaffoldError(
            f"{slug!r} cannot be a module name: 2-31 lowercase letters, digits or single underscores, "
            "starting with a letter"
        )
    if slug in RESERVED_SLUGS:
        raise ScaffoldError(f"{slug!r} is reserved by the core; choose another name")
    reference_prefix = prefix or default_prefix(slug)
    if not _PREFIX.match(reference_prefix):
        raise ScaffoldError(f"the reference prefix must be 2-5 capital letters, not {reference_prefix!r}")
    if not _OPD.match(opd_code):
        raise ScaffoldError(f"{opd_code!r} is not an agency code (capital letters, digits, underscores)")
    dash = slug.replace("_", "-")
    target = parent / f"serang-{dash}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; nothing was written")
    tokens = {
        "__slug__": slug,
        "__dash__": dash,
        "__Name__": slug.replace("_", " ").title(),
        "__PREFIX__": reference_prefix,
        "__OPD__": opd_code,
    }
    _copy(resources.files("serang_app.scaffold") / "template", target, tokens, slug)
    return target


def _copy(source: Traversable, target: Path, tokens: dict[str, str], slug: str) -> None:
    target.mkdir(parents=True)
    for entry in source.iterdir():
        name = entry.name
        if name == "__pycache__":
            continue
        if entry.is_dir():
            _copy(entry, target / (f"serang_{slug}" if name == "package" else name), tokens, slug)
            continue
        text = entry.read_text(encoding="utf-8")
        for token, value in tokens.items():
            text = text.replace(token, value)
            name = name.replace(token, value)
        (target / name.removesuffix(".tmpl")).write_text(text, encoding="utf-8")
