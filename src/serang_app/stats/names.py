"""The names that go with group keys: agencies, services (in the caller's language), districts, modules."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import asyncpg

from serang_app.http.locale import Locale
from serang_app.stats.summaries import Dimension

_AGENCIES = "SELECT code, name FROM opds WHERE code = ANY($1::text[])"
_SERVICES = (
    "SELECT code, coalesce(title->>$2, title->>'id') AS name FROM catalogue_services WHERE code = ANY($1::text[])"
)
_DISTRICTS = "SELECT code, name FROM regions WHERE code = ANY($1::text[])"


async def names_of(
    connection: asyncpg.Connection,
    dimension: Dimension,
    keys: Collection[str],
    locale: Locale,
    module_names: Mapping[str, str],
) -> dict[str, str]:
    if dimension == "module":
        return {key: module_names[key] for key in keys if key in module_names}
    if dimension == "service":
        rows = await connection.fetch(_SERVICES, list(keys), locale)
    else:
        rows = await connection.fetch(_AGENCIES if dimension == "opd" else _DISTRICTS, list(keys))
    return {row["code"]: row["name"] for row in rows}
