"""Reading complaints: the reporter's and agency's detail, the public feed, nearby search."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import msgspec

from serang_app.api import ApiError, CaseActor, Conditions, Keyset, Text
from serang_app.modules.complaints.moderation import hidden_from_public
from serang_app.modules.complaints.public_view import public_description, public_query, thumbnail_url
from serang_app.modules.complaints.schemas import (
    CategoryRef,
    ComplaintDetail,
    PublicComplaint,
    PublicComplaintPage,
)
from serang_app.modules.complaints.workflow import status_title

METRES_PER_DEGREE = 111_320.0

_DETAIL = """
SELECT r.case_id, c.reference, c.status, c.phase, c.opd_code, c.resident_id, c.is_public, r.category_code,
       k.title AS category_title, r.description, r.latitude, r.longitude, c.district_code, r.village_code,
       r.address, r.is_anonymous, r.attributes, r.support_count, r.merged_into, r.source, r.created_at
FROM complaints.reports r
JOIN core.cases c ON c.id = r.case_id
JOIN complaints.categories k ON k.code = r.category_code
WHERE r.case_id = $1
"""
# The fields of a PublicComplaint, from the public view (public_view.py).
_SHOWN = """v.case_id, v.reference, v.status, v.phase, v.category_code, v.category_title, v.description,
       v.text_hidden, v.latitude, v.longitude, v.district_code, v.village_code, v.reporter_name, v.support_count,
       v.photo_ids, v.created_at"""

# $1 latitude, $2 longitude, $3 and $4 the box's half height and half width in degrees, $5 the
# radius in metres, $6 a category or null, $7 the limit.
NEARBY = public_query(
    _SHOWN + ", complaints.distance_m($1, $2, v.latitude, v.longitude) AS d",
    """WHERE v.location <@ box(point($2 - $4, $1 - $3), point($2 + $4, $1 + $3))
         AND complaints.distance_m($1, $2, v.latitude, v.longitude) <= $5
         AND v.is_open
         AND ($6::text IS NULL OR v.category_code = $6)
       ORDER BY v.location <-> point($2, $1)
       LIMIT $7""",
)
# The feed's conditions come from the filters given (FeedFilter), its order and limit from the keyset.
_FEED = public_query(_SHOWN, "")
_NEWEST_FIRST = Keyset("complaints.public", ("v.created_at", "v.case_id"), tuple[datetime, uuid.UUID])
_ONE = public_query(_SHOWN, "WHERE v.case_id = $1")


async def complaint_detail(connection: asyncpg.Connection, actor: CaseActor, case_id: uuid.UUID) -> ComplaintDetail:
    """For the reporter, the owning agency and admins; 404 for anyone else."""
    row = await connection.fetchrow(_DETAIL, case_id)
    if row is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        raise ApiError(404)
    photos = await connection.fetch(
        "SELECT id FROM core.uploads WHERE case_id = $1 AND purpose = 'complaint_photo' ORDER BY attached_at, id",
        case_id,
    )
    photo_upload_ids = [photo["id"] for photo in photos]
    detail = msgspec.convert(
        {**dict(row), "category": _category(row), "photo_upload_ids": photo_upload_ids, "photo_ids": photo_upload_ids},
        ComplaintDetail,
    )
    return msgspec.structs.replace(detail, hidden_from_public=await hidden_from_public(connection, case_id))


@dataclass(frozen=True, slots=True)
class FeedFilter:
    # (west, south, east, north) in degrees
    bbox: tuple[float, float, float, float] | None = None
    district_code: str | None = None
    category: str | None = None
    status: str | None = None


async def public_page(
    connection: asyncpg.Connection,
    base_url: str,
    locale: str,
    feed: FeedFilter,
    *,
    limit: int,
    cursor: str | None,
) -> PublicComplaintPage:
    """Public complaints, newest first, keyset-paginated."""
    rows, next_cursor = await _NEWEST_FIRST.page(limit, cursor).fetch(connection, _FEED, _feed_conditions(feed))
    return PublicComplaintPage(items=_public_items(base_url, locale, rows), next_cursor=next_cursor)


def _feed_conditions(feed: FeedFilter) -> Conditions:
    conditions = Conditions()
    if feed.bbox is not None:
        west, south, east, north = feed.bbox
        conditions.add("v.location <@ box(point(?, ?), point(?, ?))", west, south, east, north)
    if feed.district_code is not None:
        conditions.add("v.district_code = ?", feed.district_code)
    if feed.category is not None:
        conditions.add("v.category_code = ?", feed.category)
    if feed.status is not None:
        conditions.add("v.status = ?", feed.status)
    return conditions


async def public_complaint(
    connection: asyncpg.Connection, base_url: str, locale: str, case_id: uuid.UUID
) -> PublicComplaint:
    row = await connection.fetchrow(_ONE, case_id)
    if row is None:
        raise ApiError(404)
    [item] = _public_items(base_url, locale, [row])
    return item


async def nearby(
    connection: asyncpg.Connection,
    base_url: str,
    locale: str,
    latitude: float,
    longitude: float,
    *,
    radius_m: float,
    category: str | None,
    limit: int,
) -> list[PublicComplaint]:
    """Open public complaints within `radius_m` of the point, nearest first.

    The GiST index on `reports.location` narrows to a box around the circle and walks it nearest
    first (`<->`, in degrees: at 6 degrees south a degree of longitude is 99.5% of one of
    latitude, so the order is the true one for any radius asked here); the haversine distance
    then drops the box's corners.
    """
    half_height = radius_m / METRES_PER_DEGREE
    half_width = half_height / max(math.cos(math.radians(latitude)), 0.01)
    rows = await connection.fetch(NEARBY, latitude, longitude, half_height, half_width, radius_m, category, limit)
    items = _public_items(base_url, locale, rows)
    return [msgspec.structs.replace(item, distance_m=round(row["d"], 1)) for item, row in zip(items, rows, strict=True)]


def _public_items(base_url: str, locale: str, rows: list[asyncpg.Record]) -> list[PublicComplaint]:
    return [
        PublicComplaint(
            case_id=row["case_id"],
            reference=row["reference"],
            status=row["status"],
            status_title=status_title(row["status"]),
            phase=row["phase"],
            category=_category(row),
            description=public_description(row["description"], locale),
            description_hidden=row["text_hidden"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            district_code=row["district_code"],
            village_code=row["village_code"],
            reporter_name=row["reporter_name"],
            support_count=row["support_count"],
            thumbnail_urls=[thumbnail_url(base_url, photo) for photo in row["photo_ids"]],
            created_at=row["created_at"],
        )
        for row in rows
    ]


def _category(row: asyncpg.Record) -> CategoryRef:
    return CategoryRef(code=row["category_code"], title=msgspec.convert(row["category_title"], Text))
