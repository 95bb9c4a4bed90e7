from __future__ import annotations

import msgspec

from serang_app.module_system.spec import Text


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
