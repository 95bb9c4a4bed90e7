"""Stored objects as a tree of keys, in a folder or under an S3 prefix, copied one to the other.

A folder keeps each object's content type beside it in a `.type` file: the layout of the local
storage backend (storage/local.py), so a backup's `objects/` folder is one too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from serang_app.backup.errors import BackupError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

TYPE_SUFFIX = ".type"
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class ObjectTree(Protocol):
    label: str

    def list_keys(self) -> Iterator[str]: ...

    def read(self, key: str) -> tuple[bytes, str]:
        """The object's bytes and content type."""
        ...

    def write(self, key: str, data: bytes, content_type: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CopiedObject:
    key: str
    bytes: int
    sha256: str
    content_type: str


def copy_objects(source: ObjectTree, target: ObjectTree) -> list[CopiedObject]:
    """Copy every object, one at a time (uploads are at most 10 MB), noting what was copied."""
    copied = []
    for key in source.list_keys():
        data, content_type = source.read(key)
        target.write(key, data, content_type)
        copied.append(CopiedObject(key, len(data), hashlib.sha256(data).hexdigest(), content_type))
    return copied


def is_empty(tree: ObjectTree) -> bool:
    return next(tree.list_keys(), None) is None


def _checked(key: str) -> PurePosixPath:
    # Keys come from a listing or a manifest, which a damaged or hostile backup could fill with
    # "../" to write outside the folder.
    path = PurePosixPath(key)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        raise BackupError(f"refusing the object key {key!r}: not a plain relative key")
    return path


class FolderTree:
    """Objects in a folder. Files are written for their owner only: uploads are personal data."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.label = str(folder)

    def list_keys(self) -> Iterator[str]:
        if not self._folder.is_dir():
            return
        for path in sorted(self._folder.rglob("*")):
            if path.is_file() and path.suffix != TYPE_SUFFIX:
                yield path.relative_to(self._folder).as_posix()

    def read(self, key: str) -> tuple[bytes, str]:
        path = self._folder / _checked(key)
        sidecar = path.with_name(path.name + TYPE_SUFFIX)
        content_type = sidecar.read_text().strip() if sidecar.is_file() else DEFAULT_CONTENT_TYPE
        return path.read_bytes(), content_type

    def write(self, key: str, data: bytes, content_type: str) -> None:
        path = self._folder / _checked(key)
        _make_private_folders(path.parent)
        _write_private(path, data)
        _write_private(path.with_name(path.name + TYPE_SUFFIX), content_type.encode())


def _make_private_folders(folder: Path) -> None:
    # Path.mkdir gives only the last folder the mode; each missing parent is made here instead.
    for missing in [folder, *folder.parents][::-1]:
        if not missing.exists():
            missing.mkdir(mode=0o700)


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def s3_client(
    endpoint_url: str | None, region: str, *, path_style: bool, credentials: tuple[str, str] | None = None
) -> S3Client:
    """credentials: an access key id and secret; None: boto3's usual chain (AWS_ACCESS_KEY_ID...)."""
    key_id, secret = credentials or (None, None)
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if path_style else "auto"},
        retries={"max_attempts": 5, "mode": "standard"},
    )
    client: S3Client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        config=config,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    return client


class S3Tree:
    """Objects under a prefix of an S3 bucket."""

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix
        self.label = f"s3://{bucket}/{prefix}"

    def list_keys(self) -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=self._prefix)
        with s3_errors(self.label):
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self._prefix) :]

    def read(self, key: str) -> tuple[bytes, str]:
        found = self.read_if_present(key)
        if found is None:
            raise BackupError(f"{self.label}{key} is missing")
        return found

    def read_if_present(self, key: str) -> tuple[bytes, str] | None:
        with s3_errors(self.label):
            try:
                response: Any = self._client.get_object(Bucket=self._bucket, Key=self._prefix + key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise
            with response["Body"] as body:
                data: bytes = body.read()
        return data, response.get("ContentType") or DEFAULT_CONTENT_TYPE

    def write(self, key: str, data: bytes, content_type: str) -> None:
        _checked(key)
        with s3_errors(self.label):
            self._client.put_object(Bucket=self._bucket, Key=self._prefix + key, Body=data, ContentType=content_type)


@contextmanager
def s3_errors(label: str) -> Iterator[None]:
    """boto3's errors as one line naming the bucket: a wrong endpoint, bucket or credential."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise BackupError(f"object storage {label} answered {code}") from None
    except (BotoCoreError, Boto3Error) as error:
        raise BackupError(f"cannot reach the object storage {label}: {error}") from None
