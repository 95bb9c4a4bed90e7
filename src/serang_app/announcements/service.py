"""Publishing and withdrawing announcements, the public feed, and the admins' list."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import msgspec

from serang_app.announcements.schemas import (
    Announcement,
    AnnouncementDraft,
    AnnouncementList,
    PublishedAnnouncement,
    PublishedAnnouncementPage,
    TopicPushState,
)
from serang_app.announcements.topics import topics_for_audience
from serang_app.bilingual import Text
from serang_app.db.keyset import Keyset
from serang_app.db.pool import Database
from serang_app.http.caching import CachedJson
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.storage.backend import Storage
from serang_app.uploads.service import DOWNLOAD_URL_SECONDS, UploadOwner, use_uploads

_COLUMNS = "id, title, body, image_upload_id, district_codes, published_at, ends_at"
_FEED = f"""
SELECT {_COLUMNS} FROM announcements
WHERE withdrawn_at IS NULL AND (ends_at IS NULL OR ends_at > now())
  AND (district_codes = '{{}}' OR $1::text = ANY(district_codes))
ORDER BY published_at DESC, id DESC
LIMIT $2
"""  # noqa: S608 (constant columns)
_ADMIN_SELECT = f"SELECT {_COLUMNS}, published_by, withdrawn_at FROM announcements"  # noqa: S608 (constant columns)
_NEWEST_FIRST = Keyset("announcements", ("published_at", "id"), tuple[datetime, uuid.UUID])
# Phones may keep the feed this long before asking again (with If-None-Match).
CLIENT_MAX_AGE_SECONDS = 60
# Each process re-reads the feed at most this often; a publication shows everywhere within it.
SERVER_MAX_AGE_SECONDS = 5.0
# Distinct (district, limit, host) answers kept; more than the app ever asks for.
MAX_CACHED_FEEDS = 256


def image_url(base_url: str, announcement_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/v1/announcements/{announcement_id}/image"


async def publish(
    connection: asyncpg.Connection, publisher: UploadOwner, draft: AnnouncementDraft, base_url: str, region_code: str
) -> PublishedAnnouncement:
    """Store the announcement with one queued push per topic (in the caller's transaction); its
    districts must be current districts of the configured region."""
    districts = list(dict.fromkeys(draft.district_codes))
    known = await connection.fetchval(
        """SELECT count(*) FROM regions
           WHERE code = ANY($1::text[]) AND code LIKE $2 || '.%' AND level = 'district' AND retired_in IS NULL""",
        districts,
        region_code,
    )
    if known != len(districts) or len(districts) != len(draft.district_codes):
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "district_codes",
                    "Kecamatan tidak dikenal atau disebut dua kali",
                    "An unknown district, or one named twice",
                )
            ],
        )
    if draft.ends_at is not None and draft.ends_at <= datetime.now(UTC):
        raise ApiError(422, errors=[LocalizedFieldError("ends_at", "Harus di masa depan", "Must be in the future")])
    if draft.image_upload_id is not None:
        await use_uploads(connection, publisher, [draft.image_upload_id], purposes=["announcement_image"])
    row = await connection.fetchrow(
        f"""INSERT INTO announcements (title, body, image_upload_id, district_codes, published_by, ends_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING {_COLUMNS}, published_by, withdrawn_at""",  # noqa: S608 (constant columns)
        msgspec.to_builtins(draft.title),
        msgspec.to_builtins(draft.body),
        draft.image_upload_id,
        districts,
        publisher.id,
        draft.ends_at,
    )
    assert row is not None  # an INSERT ... RETURNING returns its row
    audience = topics_for_audience(districts)
    await connection.executemany(
        "INSERT INTO announcement_pushes (announcement_id, topic, locale) VALUES ($1, $2, $3)",
        [(row["id"], topic, locale) for topic, locale in audience],
    )
    pushes = [TopicPushState(topic=topic, state="queued", attempts=0, last_error=None) for topic, _ in audience]
    return _published(row, base_url, pushes)


async def withdraw(connection: asyncpg.Connection, announcement_id: uuid.UUID) -> None:
    """Take it out of the feed and cancel pushes not sent yet (one already on its way to FCM
    may still arrive). Withdrawing twice is the same as once; an unknown id is 404."""
    found = await connection.fetchval(
        """UPDATE announcements SET withdrawn_at = coalesce(withdrawn_at, now()) WHERE id = $1 RETURNING 1""",
        announcement_id,
    )
    if found is None:
        raise ApiError(404)
    await connection.execute(
        """UPDATE announcement_pushes SET state = 'withdrawn', finished_at = now()
           WHERE announcement_id = $1 AND state = 'queued'""",
        announcement_id,
    )


async def admin_page(
    connection: asyncpg.Connection, base_url: str, *, limit: int, cursor: str | None
) -> PublishedAnnouncementPage:
    shown, next_cursor = await _NEWEST_FIRST.page(limit, cursor).fetch(connection, _ADMIN_SELECT)
    pushes = await connection.fetch(
        """SELECT announcement_id, topic, state, attempts, last_error FROM announcement_pushes
           WHERE announcement_id = ANY($1::uuid[]) ORDER BY topic""",
        [row["id"] for row in shown],
    )
    by_announcement: dict[uuid.UUID, list[TopicPushState]] = {}
    for push in pushes:
        by_announcement.setdefault(push["announcement_id"], []).append(
            TopicPushState(
                topic=push["topic"], state=push["state"], attempts=push["attempts"], last_error=push["last_error"]
            )
        )
    items = [_published(row, base_url, by_announcement.get(row["id"], [])) for row in shown]
    return PublishedAnnouncementPage(items=items, next_cursor=next_cursor)


async def image_link(
    connection: asyncpg.Connection, storage: Storage, announcement_id: uuid.UUID, base_url: str
) -> str:
    """A short-lived link to the image of an announcement still shown; 404 otherwise."""
    key = await connection.fetchval(
        """SELECT u.files->>'display' FROM announcements a JOIN uploads u ON u.id = a.image_upload_id
           WHERE a.id = $1 AND a.withdrawn_at IS NULL""",
        announcement_id,
    )
    if key is None:
        raise ApiError(404)
    return storage.download_url(key, DOWNLOAD_URL_SECONDS, base_url)


class AnnouncementFeed:
    """The encoded feed per (district, limit, host), re-read at most every few seconds.

    Every app start asks for it; it changes a few times a week. Publishing or withdrawing in this
    process clears it at once; other processes see the change within SERVER_MAX_AGE_SECONDS.
    """

    def __init__(self) -> None:
        self._answers: dict[tuple[str | None, int, str], tuple[CachedJson, float]] = {}
        self._lock = asyncio.Lock()

    async def get(self, database: Database, district: str | None, limit: int, base_url: str) -> CachedJson:
        key = (district, limit, base_url)
        cached = self._answers.get(key)
        if cached is not None and time.monotonic() - cached[1] < SERVER_MAX_AGE_SECONDS:
            return cached[0]
        async with self._lock:  # one reader refreshes; the others wait for its result
            cached = self._answers.get(key)
            if cached is not None and time.monotonic() - cached[1] < SERVER_MAX_AGE_SECONDS:
                return cached[0]
            async with database.acquire() as connection:
                rows = await connection.fetch(_FEED, district, limit)
            body = msgspec.json.encode(AnnouncementList(items=[_announcement(row, base_url) for row in rows]))
            answer = CachedJson(body, max_age=CLIENT_MAX_AGE_SECONDS)
            if len(self._answers) >= MAX_CACHED_FEEDS:
                self._answers.clear()
            self._answers[key] = (answer, time.monotonic())
            return answer

    def invalidate(self) -> None:
        self._answers.clear()


def _announcement(row: asyncpg.Record, base_url: str) -> Announcement:
    return Announcement(
        id=row["id"],
        title=msgspec.convert(row["title"], Text),
        body=msgspec.convert(row["body"], Text),
        image_url=image_url(base_url, row["id"]) if row["image_upload_id"] else None,
        district_codes=list(row["district_codes"]),
        published_at=row["published_at"],
        ends_at=row["ends_at"],
    )


def _published(row: asyncpg.Record, base_url: str, pushes: list[TopicPushState]) -> PublishedAnnouncement:
    announcement = _announcement(row, base_url)
    return PublishedAnnouncement(
        **msgspec.structs.asdict(announcement),
        published_by=row["published_by"],
        withdrawn_at=row["withdrawn_at"],
        pushes=pushes,
    )
