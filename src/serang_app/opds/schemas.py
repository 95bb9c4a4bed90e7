from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from serang_app.http.text import DISPLAY_NAME

# The same rule as the opds table's CHECK constraint.
OPD_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,31}$"
OpdCode = Annotated[str, msgspec.Meta(pattern=OPD_CODE_PATTERN, examples=["DPUPR"])]
# Surrounding spaces are trimmed before storing.
ShortName = Annotated[str, msgspec.Meta(pattern=DISPLAY_NAME, min_length=1, max_length=60, examples=["DPUPR"])]
FullName = Annotated[
    str,
    msgspec.Meta(
        pattern=DISPLAY_NAME, min_length=1, max_length=200, examples=["Dinas Pekerjaan Umum dan Penataan Ruang"]
    ),
]


class Opd(msgspec.Struct, kw_only=True):
    code: str
    short_name: str
    name: str
    is_active: bool
    # Whether residents see staff names on their cases' timelines (else only the role).
    show_staff_names: bool
    created_at: datetime


class OpdList(msgspec.Struct, kw_only=True):
    """Every agency of the regency: a few dozen at most, so one answer holds them all."""

    items: list[Opd]


class NewOpd(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: OpdCode
    short_name: ShortName
    name: FullName


class OpdChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields to change; a field left out stays as it is. The code never changes: records refer to it."""

    short_name: ShortName | msgspec.UnsetType = msgspec.UNSET
    name: FullName | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    show_staff_names: bool | msgspec.UnsetType = msgspec.UNSET
