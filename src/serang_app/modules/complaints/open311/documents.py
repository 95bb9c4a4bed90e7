"""GeoReport v2's documents built from the module's categories and public complaints.

Services are the active categories (`service_code` is the category's code). Every service takes
the district as a required attribute (`district_code`, one of the regency's districts), because
complaints are routed and counted by district and no boundary data exists to derive it from the
pin. Requests are public complaints only, identified by their reference numbers; their status is
`open` until the case is closed (resolved, closed, rejected, merged or withdrawn).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from serang_app.api import DeploymentIdentity, RegionArea
from serang_app.modules.complaints.categories import active_category, list_categories
from serang_app.modules.complaints.open311.formats import Open311Error
from serang_app.modules.complaints.public_view import public_description, public_query, thumbnail_url
from serang_app.modules.complaints.schemas import Category
from serang_app.modules.complaints.workflow import status_title

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00Z"
DISTRICT_ATTRIBUTE = "district_code"
# Without dates, GeoReport v2 answers the last 90 days; this many requests at most.
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 500

# A GeoReport v2 request, from the public view (public_view.py): `address` is the region names,
# never the reporter's text; `status_notes` the status's fixed title, never a note; `photo_id` the
# first photo staff did not hide (docs/complaints.md, "Moderation").
_REQUEST = """v.reference, v.status, v.is_open, v.created_at, v.updated_at, v.due_at, v.category_code,
       v.category_title, v.description, v.latitude, v.longitude, v.place, v.agency, v.photo_ids[1] AS photo_id"""


def discovery(base_url: str, identity: DeploymentIdentity) -> dict[str, Any]:
    """Whom to ask about this endpoint: the deployment's contact (SERANG_DEPLOYMENT_CONTACT, by
    default the government of the configured region)."""
    return {
        "changeset": CHANGESET,
        "contact": identity.contact,
        "key_service": f"API keys are issued by the administrators of {identity.government_name}.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


async def services(connection: asyncpg.Connection, locale: str) -> list[dict[str, Any]]:
    return [
        {
            "service_code": category.code,
            "service_name": category.title.in_locale(locale),
            "description": category.description.in_locale(locale),
            "metadata": True,  # every service has at least the district attribute
            "type": "realtime",
            "keywords": category.code.replace("_", ","),
            "group": category.opd_code,
        }
        for category in await list_categories(connection, include_inactive=False)
    ]


async def service_definition(
    connection: asyncpg.Connection, code: str, locale: str, area: RegionArea
) -> dict[str, Any]:
    category = await active_category(connection, code)
    if category is None:
        raise Open311Error(404, f"No service {code!r}")
    districts = await connection.fetch(
        "SELECT code, name FROM core.regions WHERE level = 'district' AND code LIKE $1 || '.%' ORDER BY name",
        area.region_code,
    )
    attributes = [
        {
            "variable": True,
            "code": DISTRICT_ATTRIBUTE,
            "datatype": "singlevaluelist",
            # Found from lat and long where the region has village boundaries (docs/regions.md).
            "required": not area.has_villages,
            "datatype_description": "The district (kecamatan) of the problem"
            + (", found from lat and long when left out" if area.has_villages else ""),
            "order": 1,
            "description": "Kecamatan" if locale == "id" else "District",
            "values": [{"key": row["code"], "name": row["name"]} for row in districts],
        },
        *_attributes(category, locale),
    ]
    return {"service_code": category.code, "attributes": attributes}


def _attributes(category: Category, locale: str) -> list[dict[str, Any]]:
    return [
        {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": None,
            "order": order,
            "description": attribute.description.id if locale == "id" else attribute.description.en,
            "values": [
                {"key": choice.key, "name": choice.name.id if locale == "id" else choice.name.en}
                for choice in attribute.values
            ],
        }
        for order, attribute in enumerate(category.attributes, start=2)
    ]


async def requests(
    connection: asyncpg.Connection,
    base_url: str,
    locale: str,
    *,
    references: list[str] | None,
    service_code: str | None,
    start: datetime | None,
    end: datetime | None,
    statuses: set[str] | None,
) -> list[dict[str, Any]]:
    """Public complaints by reference numbers, or by service, date range and status."""
    if references is not None:
        rows = await connection.fetch(public_query(_REQUEST, "WHERE v.reference = ANY($1::text[])"), references)
    else:
        if start is None and end is None:
            start = datetime.now(UTC) - DEFAULT_WINDOW
        rows = await connection.fetch(
            public_query(
                _REQUEST,
                """WHERE ($1::text IS NULL OR v.category_code = $1)
                     AND ($2::timestamptz IS NULL OR v.created_at >= $2)
                     AND ($3::timestamptz IS NULL OR v.created_at < $3)
                     AND ($4::bool IS NULL OR v.is_open = $4)
                   ORDER BY v.created_at DESC LIMIT $5""",
            ),
            service_code,
            start,
            end,
            None if statuses is None or len(statuses) == 2 else "open" in statuses,
            MAX_REQUESTS,
        )
    return [_request(row, base_url, locale) for row in rows]


def _request(row: asyncpg.Record, base_url: str, locale: str) -> dict[str, Any]:
    title = row["category_title"]
    return {
        "service_request_id": row["reference"],
        "status": "open" if row["is_open"] else "closed",
        "status_notes": status_title(row["status"]).in_locale(locale),
        "service_name": title.get(locale, title["id"]),
        "service_code": row["category_code"],
        # The neutral text in the request's language when staff hid the description.
        "description": public_description(row["description"], locale),
        "agency_responsible": row["agency"],
        "service_notice": None,
        "requested_datetime": _iso(row["created_at"]),
        "updated_datetime": _iso(row["updated_at"]),
        "expected_datetime": _iso(row["due_at"]),
        "address": row["place"],
        "address_id": None,
        "zipcode": None,
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": thumbnail_url(base_url, row["photo_id"]) if row["photo_id"] else None,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None
