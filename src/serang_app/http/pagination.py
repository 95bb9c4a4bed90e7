"""Cursor pagination shared by the growing lists: `?limit=&cursor=` in, `next_cursor` out.

A cursor is base64url JSON: what db/keyset.py (the lists' one keyset-page helper) writes into it,
the list's name and the last row's sort key. Clients treat it as an opaque string; keeping it
readable to us means no server-side state and no expiry, and a keyset query
(`WHERE key < cursor`) stays fast however deep the client pages.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import QueryParameter

from serang_app.http.problems import ApiError, LocalizedFieldError

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

PageLimit = Annotated[
    int,
    QueryParameter(
        name="limit", ge=1, le=MAX_LIMIT, description=f"How many items per page (1 to {MAX_LIMIT}).", required=False
    ),
]
PageCursor = Annotated[
    str | None,
    QueryParameter(
        name="cursor",
        description="The `next_cursor` of the previous page; leave out for the first page.",
        pattern=r"^[A-Za-z0-9_-]+$",
        max_length=200,
        required=False,
    ),
]


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).rstrip(b"=").decode()


def decode_cursor(cursor: str, key_type: type[T]) -> T:
    """The sort key inside a cursor; 422 naming `cursor` when it is not one this API handed out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=key_type)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise invalid_cursor() from None


def owned_cursor(moment: datetime, last_id: uuid.UUID, owner: uuid.UUID) -> str:
    """The cursor after the row (`moment`, `last_id`) of a list of `owner`'s rows, newest first.
    Core API 1.2, kept for modules that page by hand; `Keyset(...).page(..., owner=)` replaces it."""
    return encode_cursor([moment, last_id, owner])


def owned_position(cursor: str | None, owner: uuid.UUID) -> tuple[datetime | None, uuid.UUID | None]:
    """The (moment, id) an `owned_cursor` names, (None, None) for the first page; 422 naming
    `cursor` for another owner's list, whose cursor must not be read against this one."""
    if not cursor:
        return None, None
    moment, last_id, made_for = decode_cursor(cursor, tuple[datetime, uuid.UUID, uuid.UUID])
    if made_for != owner:
        raise invalid_cursor()
    return moment, last_id


def invalid_cursor() -> ApiError:
    """For a cursor that decodes but does not fit the request (another list's, another order's)."""
    return ApiError(
        422,
        errors=[
            LocalizedFieldError(
                "cursor",
                "Kursor halaman tidak valid; mulai lagi dari halaman pertama",
                "Not a valid page cursor; start again from the first page",
            )
        ],
    )
