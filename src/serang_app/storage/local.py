"""Storage in a local folder, for development: the app itself serves the presigned URLs.

Each URL carries its expiry and an HMAC-SHA256 over what it allows (method, key, expiry, and for
uploads the content type and maximum size), made with a key only the server holds: a URL that
was changed or has expired is refused with 403 (local_routes.py). Files are stored under the
folder by key, with the content type beside each in a `.type` file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import anyio.to_thread

from serang_app.storage.backend import ObjectTooLargeError, UploadTarget

# Keys are made by the server (uploads/<resident>/<upload>/<file>), so this only has to keep a
# key inside the folder whatever reaches the routes.
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*){0,8}$")
ROUTE_PREFIX = "/v1/storage/"


class InvalidSignatureError(Exception):
    """The URL was not made by this server for this request, or it has expired."""


class LocalStorage:
    def __init__(self, folder: Path, signing_key: bytes) -> None:
        self._folder = folder
        self._signing_key = signing_key

    # --- presigned URLs ---------------------------------------------------------------------------

    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int, base_url: str
    ) -> UploadTarget:
        expires = int(time.time()) + expires_seconds
        query = {"expires": str(expires), "type": content_type, "max": str(max_bytes)}
        query["signature"] = self._sign("PUT", key, query)
        url = f"{base_url.rstrip('/')}{ROUTE_PREFIX}{key}?{urlencode(query)}"
        return UploadTarget(method="PUT", url=url, headers={"Content-Type": content_type})

    def download_url(self, key: str, expires_seconds: int, base_url: str) -> str:
        query = {"expires": str(int(time.time()) + expires_seconds)}
        query["signature"] = self._sign("GET", key, query)
        return f"{base_url.rstrip('/')}{ROUTE_PREFIX}{key}?{urlencode(query)}"

    def check(self, method: str, key: str, query: dict[str, str]) -> None:
        """Raise InvalidSignatureError unless the URL is this server's, unchanged and unexpired."""
        signature = query.get("signature", "")
        signed = {name: value for name, value in query.items() if name != "signature"}
        if not hmac.compare_digest(signature, self._sign(method, key, signed)):
            raise InvalidSignatureError("signature")
        try:
            expires = int(signed.get("expires", ""))
        except ValueError:
            raise InvalidSignatureError("expiry") from None
        if time.time() > expires:
            raise InvalidSignatureError("expired")

    def _sign(self, method: str, key: str, query: dict[str, str]) -> str:
        if not _KEY.match(key):
            raise InvalidSignatureError("key")
        message = "\n".join([method, key, *(f"{name}={query[name]}" for name in sorted(query))])
        digest = hmac.new(self._signing_key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    # --- objects ----------------------------------------------------------------------------------

    async def read(self, key: str, max_bytes: int) -> bytes | None:
        return await anyio.to_thread.run_sync(self._read, key, max_bytes)

    def _read(self, key: str, max_bytes: int) -> bytes | None:
        path = self._path(key)
        if not path.is_file():
            return None
        if path.stat().st_size > max_bytes:
            raise ObjectTooLargeError(key)
        return path.read_bytes()

    async def content_type(self, key: str) -> str | None:
        sidecar = self._path(key).with_name(self._path(key).name + ".type")
        return await anyio.to_thread.run_sync(lambda: sidecar.read_text() if sidecar.is_file() else None)

    async def write(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write_files() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.with_name(path.name + ".type").write_text(content_type)

        await anyio.to_thread.run_sync(write_files)

    async def delete(self, *keys: str) -> None:
        def remove() -> None:
            for key in keys:
                path = self._path(key)
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".type").unlink(missing_ok=True)

        await anyio.to_thread.run_sync(remove)

    async def list_keys(self, prefix: str) -> list[str]:
        def walk() -> list[str]:
            # Keys are folders and files under the storage folder, so a prefix ending in "/" is a folder.
            top = self._folder / prefix
            if not top.is_dir():
                return []
            found = (path for path in top.rglob("*") if path.is_file() and path.suffix != ".type")
            return sorted(str(path.relative_to(self._folder)) for path in found)

        return await anyio.to_thread.run_sync(walk)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self._folder / key
