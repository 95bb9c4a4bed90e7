"""A module offering (or changing) a catalogue entry while it runs, not only at start-up: a
service an administrator defined as data appears on the home screen when it is published, and
shows as closed when it is closed (core API 1.5)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from serang_app.bilingual import Text
from serang_app.catalogue.editing import announce_change

_UPSERT = """
INSERT INTO catalogue_services
    (code, module, opd_code, title, description, icon, sla_days, requirements, is_open, sort_order)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (code) DO UPDATE SET
    opd_code = EXCLUDED.opd_code, title = EXCLUDED.title, description = EXCLUDED.description,
    icon = EXCLUDED.icon, sla_days = EXCLUDED.sla_days, requirements = EXCLUDED.requirements,
    is_open = EXCLUDED.is_open, sort_order = EXCLUDED.sort_order, updated_at = now()
WHERE catalogue_services.module = EXCLUDED.module
RETURNING code
"""


async def offer_service(
    connection: asyncpg.Connection,
    *,
    module: str,
    code: str,
    opd_code: str,
    title: Text,
    description: Text,
    sla_days: int | None,
    requirements: Sequence[Text] = (),
    is_open: bool = True,
    sort_order: int = 100,
    icon: str = "default",
) -> None:
    """Inside the caller's transaction: the entry `code` (starting with `{module}.`) inserted or
    replaced, and every web process told on commit. An entry of another module is never touched."""
    if not code.startswith(f"{module}."):
        raise ValueError(f"catalogue service {code!r} must start with {module + '.'!r}")
    written = await connection.fetchval(
        _UPSERT,
        code,
        module,
        opd_code,
        msgspec.to_builtins(title),
        msgspec.to_builtins(description),
        icon,
        sla_days,
        msgspec.to_builtins(list(requirements)),
        is_open,
        sort_order,
    )
    if written is None:
        raise ValueError(f"catalogue service {code!r} belongs to another module")
    await announce_change(connection)
