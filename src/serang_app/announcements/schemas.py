"""What the announcement API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.bilingual import Text
from serang_app.http.text import MULTILINE_TEXT, PLAIN_TEXT
from serang_app.residents.schemas import DistrictCode

# A notification shows about this much of a title; the feed shows the whole body.
TitleText = Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, min_length=1, max_length=80)]
BodyText = Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=2000)]
MAX_DISTRICTS = 29  # the regency has 29


class AnnouncementTitle(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: TitleText
    en: TitleText


class AnnouncementBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: BodyText
    en: BodyText


class AnnouncementDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An announcement to publish: both languages, and who it is for (no districts: the whole
    regency). The image is a completed upload of the admin's with purpose `announcement_image`."""

    title: AnnouncementTitle
    body: AnnouncementBody
    district_codes: Annotated[list[DistrictCode], msgspec.Meta(max_length=MAX_DISTRICTS)] = []
    image_upload_id: uuid.UUID | None = None
    # Shown in the feed until then; always (until withdrawn) when left out.
    ends_at: datetime | None = None


class Announcement(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    title: Text
    body: Text
    # A stable public link (it redirects to the stored image); null without an image.
    image_url: str | None
    # Empty: the whole regency.
    district_codes: list[str]
    published_at: datetime
    ends_at: datetime | None


class AnnouncementList(msgspec.Struct, kw_only=True):
    items: list[Announcement]


class TopicPushState(msgspec.Struct, kw_only=True):
    topic: str
    state: Literal["queued", "done", "dead", "withdrawn"]
    attempts: int
    last_error: str | None


class PublishedAnnouncement(Announcement, kw_only=True):
    """What admins see: the announcement, who published it, and how its pushes went."""

    published_by: uuid.UUID
    withdrawn_at: datetime | None
    pushes: list[TopicPushState]


class PublishedAnnouncementPage(msgspec.Struct, kw_only=True):
    items: list[PublishedAnnouncement]
    next_cursor: str | None
