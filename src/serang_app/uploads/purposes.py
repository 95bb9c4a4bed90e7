"""What an upload may be for, who may upload for it, which types it takes, and how large they may be.

HEIC (iPhone photos) is not accepted: Pillow cannot decode it without an extra native plugin,
and the app can convert to JPEG before sending. A photo's type must match what it really is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from serang_app.storage.limits import ObjectLimits

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PDF_TYPE = "application/pdf"
MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Purpose:
    code: str
    content_types: frozenset[str]
    max_bytes: int
    # The roles that upload for this purpose (resident, officer, supervisor, admin).
    roles: frozenset[str]


STAFF = frozenset({"officer", "supervisor", "admin"})
PurposeCode = Literal["complaint_photo", "permit_document", "resident_document", "case_proof", "announcement_image"]
UploadType = Literal["image/jpeg", "image/png", "image/webp", "application/pdf"]
PURPOSES: dict[str, Purpose] = {
    "complaint_photo": Purpose("complaint_photo", PHOTO_TYPES, 10 * MEGABYTE, frozenset({"resident"})),
    "permit_document": Purpose("permit_document", PHOTO_TYPES | {PDF_TYPE}, 10 * MEGABYTE, frozenset({"resident"})),
    # What a resident attaches to any other module's request (docs/writing-a-module.md): a module
    # does not need a purpose of its own for an ordinary photo or scanned document.
    "resident_document": Purpose("resident_document", PHOTO_TYPES | {PDF_TYPE}, 10 * MEGABYTE, frozenset({"resident"})),
    # Staff's evidence on a case: a photo of the repaired road, a signed letter.
    "case_proof": Purpose("case_proof", PHOTO_TYPES | {PDF_TYPE}, 10 * MEGABYTE, STAFF),
    "announcement_image": Purpose("announcement_image", PHOTO_TYPES, 10 * MEGABYTE, frozenset({"admin"})),
}
# The local storage route accepts bodies up to the largest purpose's limit.
LARGEST_UPLOAD_BYTES = max(purpose.max_bytes for purpose in PURPOSES.values())
ALL_CONTENT_TYPES = frozenset(t for purpose in PURPOSES.values() for t in purpose.content_types)
assert set(get_args(UploadType)) == ALL_CONTENT_TYPES, "UploadType must list exactly the purposes' types"
# What uploads need the storage to take (the development storage's routes, storage/local_routes.py).
UPLOADED_OBJECTS = ObjectLimits(max_bytes=LARGEST_UPLOAD_BYTES, content_types=ALL_CONTENT_TYPES)
