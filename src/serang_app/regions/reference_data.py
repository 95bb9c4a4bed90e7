"""The national list of region codes shipped with the app (data/indonesia_regions.csv.gz).

Every province, regency/city, district and village of Kepmendagri No 300.2.2-2138 Tahun 2025,
91,599 rows; data/README.md names the source and its licence. Read once per process, and only
when asked: settings check a region code against it, the loader takes one region's rows from it.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

# Recorded with every load (regions/loading.py): a new decree's list ships with a new version.
DATA_VERSION = "kepmendagri-300.2.2-2138-2025"
DECREE = "Kepmendagri No 300.2.2-2138 Tahun 2025"

Level = Literal["province", "regency", "district", "village"]


@dataclass(frozen=True, slots=True)
class CodedRegion:
    code: str
    name: str
    level: Level
    parent_code: str | None


def data_folder() -> resources.abc.Traversable:
    return resources.files("serang_app.regions") / "data"


def national_regions() -> Iterator[CodedRegion]:
    """Every row of the shipped list, in code order (each region right before its children).
    Streamed, not kept: the whole list would hold some 15 MB in every process."""
    return _parse(_text().splitlines()[1:])  # after the header: code,name,level,parent_code


def _text() -> str:
    return gzip.decompress((data_folder() / "indonesia_regions.csv.gz").read_bytes()).decode("utf-8")


def _parse(lines: Iterable[str]) -> Iterator[CodedRegion]:
    for code, name, level, parent_code in csv.reader(lines):
        yield CodedRegion(code, name, _level(level), parent_code or None)


@cache
def regencies() -> dict[str, CodedRegion]:
    """The regencies and cities (kabupaten and kota) by code, which SERANG_REGION_CODE may name."""
    return {region.code: region for region in _upper_levels() if region.level == "regency"}


def province_of(regency_code: str) -> CodedRegion:
    province_code = regency_code.split(".", 1)[0]
    return next(region for region in _upper_levels() if region.code == province_code)


@lru_cache(maxsize=4)
def region_rows(regency_code: str) -> tuple[CodedRegion, ...]:
    """The regency or city itself, then its districts and villages, in code order."""
    prefix = regency_code + "."
    return tuple(
        region for region in national_regions() if region.code == regency_code or region.code.startswith(prefix)
    )


@cache
def _upper_levels() -> tuple[CodedRegion, ...]:
    """Provinces and regencies only, picked by their codes' length (2 and 5) before parsing: every
    settings check reads these, and parsing the other 90,000 rows would cost 0.1 s each time."""
    return tuple(_parse(line for line in _text().splitlines() if line[2:3] == "," or line[5:6] == ","))


def _level(value: str) -> Level:
    if value not in ("province", "regency", "district", "village"):
        raise ValueError(f"unknown level {value!r} in the shipped region list")
    return value  # type: ignore[return-value]
