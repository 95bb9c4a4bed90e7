"""Bodies and answers of the staff administration API (/v1/admin/staff)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.http.text import DISPLAY_NAME
from serang_app.opds.schemas import OpdCode
from serang_app.staff.emails import EMAIL_PATTERN
from serang_app.staff.passwords import MIN_PASSWORD_LENGTH

StaffRole = Literal["officer", "supervisor", "admin"]
Email = Annotated[str, msgspec.Meta(pattern=EMAIL_PATTERN, examples=["petugas@dpupr.serangkab.go.id"])]
StaffName = Annotated[
    str, msgspec.Meta(pattern=DISPLAY_NAME, min_length=1, max_length=200, examples=["Rina Wulandari"])
]
# An upper bound too, so nobody can make the server hash a megabyte.
Password = Annotated[str, msgspec.Meta(min_length=MIN_PASSWORD_LENGTH, max_length=1024)]


class StaffMember(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    email: str
    name: str
    role: StaffRole
    opd_code: str | None
    # The head of the agency (a supervisor), told at the escalation chain's agency_head steps.
    is_agency_head: bool
    is_active: bool
    created_at: datetime


class StaffPage(msgspec.Struct, kw_only=True):
    items: list[StaffMember]
    next_cursor: str | None


class NewStaff(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new account.

    Officers and supervisors need an active agency; admins always belong to DISKOMINFOSATIK,
    whatever `opd_code` says.
    """

    email: Email
    name: StaffName
    role: StaffRole
    opd_code: OpdCode | None = None
    password: Password
    # Only a supervisor may be the head of their agency.
    is_agency_head: bool = False


class StaffChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields to change; a field left out stays as it is. Disabling signs the account out everywhere.

    Officers and supervisors need an active agency; admins always belong to DISKOMINFOSATIK.
    """

    name: StaffName | msgspec.UnsetType = msgspec.UNSET
    role: StaffRole | msgspec.UnsetType = msgspec.UNSET
    opd_code: OpdCode | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    # Only a supervisor may be the head of their agency; a head given another role stops being it.
    is_agency_head: bool | msgspec.UnsetType = msgspec.UNSET
