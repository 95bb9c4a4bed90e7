"""No code names the region it was built for: every name of a regency, on a letter, a public page or
a message, comes from the configured region and the deployment's identity (docs/identity.md).

The scan reads every file under src/ except the shipped reference data and the default seed, and
fails on "Serang", "SERANG" as a word, or the default region's code 36.04 outside the allowlist
below, each entry of which says why it may stay.
"""

from __future__ import annotations

import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"

# The place name (the upper-case word too: a letterhead once printed it), and the region's code.
# `serang_app`, `serang-app` and `SERANG_...` are neither: lower case, or followed by "_".
FORBIDDEN = re.compile(r"Serang|\bSERANG\b(?!_)|36\.04")

# Not scanned: data the app ships, which names every region by design.
SKIPPED = (
    # The national Kepmendagri list and the boundaries, with their README (docs/regions.md).
    "serang_app/regions/data/",
)
# The default seed: migrations ran on every database as they are (their checksums are checked),
# and seed Kabupaten Serang's agencies, permit types and appointment places (docs/identity.md).
SEED = re.compile(r"/migrations/\d{4}_\w+\.sql$")

# (path under src/, or "*" for any file; text allowed there; why)
ALLOWED: tuple[tuple[str, str, str], ...] = (
    (
        "serang_app/settings.py",
        r"DEFAULT_REGION = \"36\.04\"|\(Kabupaten Serang\)",
        "the default region's code, written once, with its name in the comment beside it",
    ),
    ("*", r"Serang super-app", "the product's name, as the package's: the same for every deployment"),
    (
        "*",
        r"examples=\[\"36\.04[\d.]*\"\]",
        "examples in the API document, which is one for every deployment: codes of the default region",
    ),
    (
        "serang_app/residents/region_codes.py",
        r"Serang|36\.04",
        "Kabupaten Serang's retired district codes, which NIKs issued there still carry: reference data",
    ),
)


def _scanned_files() -> list[Path]:
    files = []
    for path in sorted(SOURCE.rglob("*")):
        relative = path.relative_to(SOURCE).as_posix()
        if not path.is_file() or "__pycache__" in relative or relative.startswith(SKIPPED) or SEED.search(relative):
            continue
        files.append(path)
    return files


def _allowed_in(relative: str) -> re.Pattern[str]:
    patterns = [allowed for where, allowed, _why in ALLOWED if where in ("*", relative)]
    return re.compile("|".join(patterns))


def _occurrences(path: Path) -> list[str]:
    relative = path.relative_to(SOURCE).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []  # fonts and other binary files carry no text of ours
    allowed = _allowed_in(relative)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if FORBIDDEN.search(allowed.sub("", line)):
            found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_code_names_the_default_region() -> None:
    files = _scanned_files()
    assert len(files) > 250  # the whole package is read, not a folder of it
    assert [found for path in files for found in _occurrences(path)] == []


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan is not vacuous: a letterhead written into code, a code of the default region, the
    region's name in a message are each found; the package name and the settings prefix are not."""
    probes = {
        'pdf.cell(0, 10, "PEMERINTAH KABUPATEN SERANG")': True,
        'TITLE = Text(id="Layanan Kabupaten Serang")': True,
        'examples=["36.04.05"], description="e.g. 36.04.05"': True,
        "from serang_app.api import ApiError  # serang-app": False,
        'environ["SERANG_REGION_CODE"]': False,
        'examples=["36.04.05"]': False,
    }
    allowed = _allowed_in("serang_app/anything.py")
    for line, expected in probes.items():
        assert bool(FORBIDDEN.search(allowed.sub("", line))) is expected, line
    # The skipped and seed files are only those.
    relative = [path.relative_to(SOURCE).as_posix() for path in _scanned_files()]
    assert "serang_app/modules/permits/issuing.py" in relative
    assert not [name for name in relative if name.endswith(".sql") and "/migrations/" in name]
    assert not [name for name in relative if name.startswith("serang_app/regions/data/")]
