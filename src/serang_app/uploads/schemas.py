"""What the upload API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.uploads.purposes import LARGEST_UPLOAD_BYTES, PurposeCode, UploadType


class UploadRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Each purpose takes some of the types (photos: JPEG, PNG, WebP; documents: PDF too) and
    has its own size limit (10 MB today); a combination a purpose does not take answers 422."""

    purpose: PurposeCode
    content_type: UploadType
    size: Annotated[int, msgspec.Meta(ge=1, le=LARGEST_UPLOAD_BYTES, description="The file's size in bytes.")]


class UploadForm(msgspec.Struct, kw_only=True):
    """How to send the file: for POST, a multipart form with `fields` first and the file last as
    `file`; for PUT, the bytes as the body with `headers`. Valid until `expires_at`."""

    method: Literal["POST", "PUT"]
    url: str
    fields: dict[str, str]
    headers: dict[str, str]
    expires_at: datetime


class StartedUpload(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    upload: UploadForm


class UploadFile(msgspec.Struct, kw_only=True):
    name: Literal["display", "thumbnail", "document"]
    url: str  # presigned, short-lived


class Upload(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    purpose: str
    status: Literal["pending", "completed"]
    content_type: str | None
    bytes: int | None
    width: int | None
    height: int | None
    created_at: datetime
    completed_at: datetime | None
    case_id: uuid.UUID | None
    # Links to the stored files, for a completed upload, valid for a few minutes.
    files: list[UploadFile]
