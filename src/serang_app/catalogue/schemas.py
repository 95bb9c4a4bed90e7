"""What the catalogue answers, and what admins send to change it."""

from __future__ import annotations

from typing import Annotated

import msgspec

from serang_app.bilingual import Text
from serang_app.forms.fields import LocalText, LongLocalText


class Agency(msgspec.Struct, kw_only=True):
    code: str
    short_name: str
    name: str


class Service(msgspec.Struct, kw_only=True):
    code: str
    module: str
    opd: Agency
    title: Text
    description: Text
    icon: str
    sla_days: int | None
    requirements: list[Text]
    is_open: bool


class ServiceList(msgspec.Struct, kw_only=True):
    """The whole catalogue: administrators keep it to a home screen's worth of entries."""

    items: list[Service]


IconKey = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{0,31}$", examples=["permit"])]
ServiceCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_.-]+$", max_length=80)]


class AdminService(msgspec.Struct, kw_only=True):
    """A catalogue entry as admins see it: closed ones too, with the home-screen order."""

    code: str
    module: str
    opd_code: str
    title: Text
    description: Text
    icon: str
    sla_days: int | None
    requirements: list[Text]
    is_open: bool
    sort_order: int


class AdminServiceList(msgspec.Struct, kw_only=True):
    items: list[AdminService]


class ServiceChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change. `is_open: false` closes a service (it stays on the home screen,
    marked closed, and takes no new requests); `sla_days: null` removes its SLA."""

    title: LocalText | msgspec.UnsetType = msgspec.UNSET
    description: LongLocalText | msgspec.UnsetType = msgspec.UNSET
    icon: IconKey | msgspec.UnsetType = msgspec.UNSET
    sla_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | msgspec.UnsetType | None = msgspec.UNSET
    opd_code: Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,31}$")] | msgspec.UnsetType = msgspec.UNSET
    requirements: Annotated[list[LocalText], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    is_open: bool | msgspec.UnsetType = msgspec.UNSET
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=10000)] | msgspec.UnsetType = msgspec.UNSET


class ServiceOrder(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The home screen's order: these services first, in this order; the others after them."""

    codes: Annotated[list[ServiceCode], msgspec.Meta(min_length=1, max_length=200)]
