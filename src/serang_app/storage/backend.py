"""The one small interface both storage backends offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class UploadTarget:
    """Where and how the phone sends the file: a form POST (S3) or a plain PUT (local folder).

    For POST, send `fields` as form fields followed by the file as the `file` field; for PUT,
    send the bytes as the body with `headers`.
    """

    method: Literal["POST", "PUT"]
    url: str
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class ObjectTooLargeError(Exception):
    """The stored object is larger than the reader allowed."""


class Storage(Protocol):
    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int, base_url: str
    ) -> UploadTarget:
        """A presigned way for the phone to send one object of this type and at most this size."""
        ...

    def download_url(self, key: str, expires_seconds: int, base_url: str) -> str:
        """A presigned, short-lived GET of one object."""
        ...

    async def read(self, key: str, max_bytes: int) -> bytes | None:
        """The object's bytes; None when there is none; ObjectTooLargeError above max_bytes."""
        ...

    async def write(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, *keys: str) -> None:
        """Remove the objects; a missing one is not an error."""
        ...

    async def list_keys(self, prefix: str) -> list[str]:
        """Every key that starts with `prefix` (for prefixes that hold few objects)."""
        ...
