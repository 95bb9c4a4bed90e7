"""What the complaints API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.api import (
    MULTILINE_TEXT,
    PLAIN_TEXT,
    Attribute,
    AttributeAnswer,
    LocalText,
    LongLocalText,
    Phase,
    Text,
    replaced_by,
)
from serang_app.modules.complaints.placing import EAST, NORTH, SOUTH, WEST

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"
CategoryCode = Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, examples=["street_lights"])]
AttributeCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
DistrictCode = Annotated[str, msgspec.Meta(pattern=r"^\d{2}\.\d{2}\.\d{2}$", examples=["36.04.05"])]
VillageCode = Annotated[str, msgspec.Meta(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", examples=["36.04.05.2001"])]
OpdCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,31}$", examples=["DPUPR"])]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
MAX_PHOTOS = 5
MAX_ATTRIBUTES = 20


class Category(msgspec.Struct, kw_only=True):
    code: str
    title: Text
    description: Text
    opd_code: str
    sla_days: int
    photo_required: bool
    public_by_default: bool
    attributes: list[Attribute]
    is_active: bool
    sort_order: int


class CategoryList(msgspec.Struct, kw_only=True):
    items: list[Category]


class CategoryDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: CategoryCode
    title: LocalText
    description: LongLocalText
    opd_code: OpdCode
    sla_days: Annotated[int, msgspec.Meta(ge=1, le=60)]
    photo_required: bool = False
    public_by_default: bool = True
    attributes: Annotated[list[Attribute], msgspec.Meta(max_length=MAX_ATTRIBUTES)] = []
    is_active: bool = True
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=10000)] = 100


class CategoryChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change. A category's code never changes: complaints keep it."""

    title: LocalText | msgspec.UnsetType = msgspec.UNSET
    description: LongLocalText | msgspec.UnsetType = msgspec.UNSET
    opd_code: OpdCode | msgspec.UnsetType = msgspec.UNSET
    sla_days: Annotated[int, msgspec.Meta(ge=1, le=60)] | msgspec.UnsetType = msgspec.UNSET
    photo_required: bool | msgspec.UnsetType = msgspec.UNSET
    public_by_default: bool | msgspec.UnsetType = msgspec.UNSET
    attributes: Annotated[list[Attribute], msgspec.Meta(max_length=MAX_ATTRIBUTES)] | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=10000)] | msgspec.UnsetType = msgspec.UNSET


class ComplaintDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new complaint. The pin must be inside the region (its boundary, docs/regions.md); the
    district and village are filled in from the pin when left out, and when sent must lie within
    a kilometre of it (placing.py). Photos are the resident's own completed `complaint_photo` uploads.
    `public` defaults to the category's setting; `anonymous` hides the reporter from the public."""

    category: CategoryCode
    description: Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=10, max_length=2000)]
    # Indonesia's extent here; the region's boundary is checked when filing (placing.py).
    # The examples are a pin in Kramatwatu, a district of the default region.
    latitude: Annotated[
        float,
        msgspec.Meta(
            ge=SOUTH, le=NORTH, description="Inside the region's boundary (checked when filing).", examples=[-6.05]
        ),
    ]
    longitude: Annotated[
        float,
        msgspec.Meta(
            ge=WEST, le=EAST, description="Inside the region's boundary (checked when filing).", examples=[106.1]
        ),
    ]
    district_code: Annotated[
        DistrictCode | None,
        msgspec.Meta(
            description="Filled in from the pin when left out (where the region has a village layer).",
            examples=["36.04.05"],
        ),
    ] = None
    village_code: VillageCode | None = None
    address: Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, max_length=200)] | None = None
    photo_upload_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=MAX_PHOTOS)] = []
    public: bool | None = None
    anonymous: bool = False
    attributes: Annotated[dict[AttributeCode, AttributeAnswer], msgspec.Meta(max_length=MAX_ATTRIBUTES)] = {}


class CategoryRef(msgspec.Struct, kw_only=True):
    code: str
    title: Text


class FiledComplaint(msgspec.Struct, kw_only=True):
    case_id: uuid.UUID
    reference: str
    status: str
    opd_code: str
    due_at: datetime | None


class ComplaintDetail(msgspec.Struct, kw_only=True):
    """What the reporter and the agency see; the case itself (timeline, actions) is at
    GET /v1/cases/{case_id}."""

    case_id: uuid.UUID
    reference: str
    status: str
    phase: Phase
    opd_code: str
    category: CategoryRef
    description: str
    latitude: float
    longitude: float
    district_code: str | None
    village_code: str | None
    address: str | None
    is_public: bool
    is_anonymous: bool
    attributes: dict[str, AttributeAnswer]
    # The complaint's photos: ids of uploads, named like the draft's `photo_upload_ids`.
    photo_upload_ids: list[uuid.UUID]
    photo_ids: Annotated[list[uuid.UUID], replaced_by("photo_upload_ids")]
    support_count: int
    merged_into: uuid.UUID | None
    source: str
    created_at: datetime
    # What staff hid from the public and why (docs/complaints.md, "Moderation"): the reporter and
    # the agency still read all of it above.
    hidden_from_public: list[HiddenContent] = []


class PublicComplaint(msgspec.Struct, kw_only=True):
    """A public complaint as anyone sees it: never the reporter's phone or NIK, their name only
    when they did not ask to stay anonymous, and only thumbnails of the photos."""

    case_id: uuid.UUID
    reference: str
    status: str
    status_title: Text
    phase: Phase
    category: CategoryRef
    description: str
    latitude: float
    longitude: float
    district_code: str | None
    village_code: str | None
    reporter_name: str | None
    support_count: int
    thumbnail_urls: list[str]
    created_at: datetime
    # Only in nearby answers: how far from the point asked about.
    distance_m: float | None = None
    # Staff hid the reporter's description: `description` is then a neutral text in the caller's
    # language, and hidden photos are left out of `thumbnail_urls`.
    description_hidden: bool = False


class PublicComplaintPage(msgspec.Struct, kw_only=True):
    items: list[PublicComplaint]
    next_cursor: str | None


class NearbyComplaints(msgspec.Struct, kw_only=True):
    items: list[PublicComplaint]


class Support(msgspec.Struct, kw_only=True):
    supporting: bool
    support_count: int


class MergeRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    into_case_id: uuid.UUID
    note: Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=2000)] | None = None


ModerationTarget = Literal["text", "photo"]
MAX_REASON = 500


class HiddenContent(msgspec.Struct, kw_only=True):
    """Something of a complaint staff hid from the public: its text, or one of its photos."""

    target: ModerationTarget
    # The photo's upload id (one of the complaint's `photo_upload_ids`), for a photo.
    photo_upload_id: uuid.UUID | None
    reason: str
    hidden_at: datetime


class ModerationRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Hide a public complaint's text or one of its photos from the public, or show it again.
    The reason is required either way: the reporter reads it, and the audit log keeps who acted."""

    target: ModerationTarget
    action: Literal["hide", "restore"]
    photo_upload_id: Annotated[
        uuid.UUID | None, msgspec.Meta(description="Required for a photo: one of the complaint's photo_upload_ids.")
    ] = None
    reason: Annotated[
        str,
        msgspec.Meta(
            pattern=MULTILINE_TEXT,
            min_length=1,
            max_length=MAX_REASON,
            examples=["Foto memperlihatkan wajah dan pelat nomor kendaraan."],
        ),
    ]
