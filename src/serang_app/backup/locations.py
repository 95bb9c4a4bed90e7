"""Where a backup lives: a folder (DIR) or an S3 prefix (s3://bucket/prefix), each holding
manifest.json, database.dump and objects/. Everything is written for its owner only: a backup
holds personal data."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from serang_app.backup import manifest
from serang_app.backup.errors import BackupError
from serang_app.backup.object_trees import FolderTree, ObjectTree, S3Tree, is_empty, s3_client, s3_errors

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PRIVATE_FILE = 0o600


class BackupLocation(Protocol):
    label: str
    objects: ObjectTree

    def is_empty(self) -> bool: ...

    @contextmanager
    def new_dump(self) -> Iterator[Path]:
        """A new, empty private file for the dump; stored in the backup when the block succeeds."""
        ...

    @contextmanager
    def dump_file(self) -> Iterator[Path]:
        """The dump as a local file for pg_restore, for the duration of the block."""
        ...

    def write_manifest(self, data: bytes) -> None: ...

    def read_manifest(self) -> bytes | None: ...


CREDENTIAL_VARIABLES = ("SERANG_BACKUP_AWS_ACCESS_KEY_ID", "SERANG_BACKUP_AWS_SECRET_ACCESS_KEY")


def open_location(target: str, *, s3_endpoint_url: str | None, environ: Mapping[str, str]) -> BackupLocation:
    """DIR or s3://bucket/prefix. An s3:// location is reached at s3_endpoint_url (unset: AWS)
    with its own key, SERANG_BACKUP_AWS_ACCESS_KEY_ID and SERANG_BACKUP_AWS_SECRET_ACCESS_KEY, so
    that the app's key need not reach the backups; unset, boto3's usual chain (AWS_ACCESS_KEY_ID...)."""
    if target.startswith("s3://"):
        bucket, _, prefix = target.removeprefix("s3://").partition("/")
        if not bucket:
            raise BackupError(f"{target!r} names no bucket: write s3://bucket/prefix")
        prefix = prefix.strip("/")
        key_id, secret = (environ.get(name) or None for name in CREDENTIAL_VARIABLES)
        if (key_id is None) != (secret is None):
            raise BackupError(f"set both {' and '.join(CREDENTIAL_VARIABLES)}, or neither")
        client = s3_client(
            s3_endpoint_url,
            environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            path_style=bool(s3_endpoint_url),
            credentials=(key_id, secret) if key_id and secret else None,
        )
        return S3Location(client, bucket, f"{prefix}/" if prefix else "")
    if "://" in target or not target:
        raise BackupError(f"{target!r} is neither a folder nor s3://bucket/prefix")
    return FolderLocation(Path(target))


class FolderLocation:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.label = str(folder)
        self.objects: ObjectTree = FolderTree(folder / manifest.OBJECTS_FOLDER)

    def is_empty(self) -> bool:
        if self._folder.exists() and not self._folder.is_dir():
            raise BackupError(f"{self._folder} is a file, not a folder")
        return not self._folder.exists() or next(self._folder.iterdir(), None) is None

    @contextmanager
    def new_dump(self) -> Iterator[Path]:
        try:
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = _new_private_file(self._folder / manifest.DUMP_NAME)
        except OSError as error:
            raise BackupError(f"cannot write to {self._folder}: {error.strerror}") from None
        yield path

    @contextmanager
    def dump_file(self) -> Iterator[Path]:
        path = self._folder / manifest.DUMP_NAME
        if not path.is_file():
            raise BackupError(f"{self._folder} holds no {manifest.DUMP_NAME}")
        yield path

    def write_manifest(self, data: bytes) -> None:
        _new_private_file(self._folder / manifest.NAME).write_bytes(data)

    def read_manifest(self) -> bytes | None:
        if not self._folder.is_dir():
            raise BackupError(f"{self._folder} is not a folder")
        path = self._folder / manifest.NAME
        return path.read_bytes() if path.is_file() else None


class S3Location:
    def __init__(self, client: S3Client, bucket: str, prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix
        self.label = f"s3://{bucket}/{prefix}"
        self.objects: ObjectTree = S3Tree(client, bucket, prefix + manifest.OBJECTS_FOLDER)
        self._everything = S3Tree(client, bucket, prefix)

    def is_empty(self) -> bool:
        return is_empty(self._everything)

    @contextmanager
    def new_dump(self) -> Iterator[Path]:
        # The dump goes to a private temporary file first: an upload to S3 needs its size.
        with tempfile.TemporaryDirectory(prefix="serang-backup-") as folder:
            path = _new_private_file(Path(folder) / manifest.DUMP_NAME)
            yield path
            with s3_errors(self.label):
                self._client.upload_file(str(path), self._bucket, self._prefix + manifest.DUMP_NAME)

    @contextmanager
    def dump_file(self) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="serang-restore-") as folder:
            path = Path(folder) / manifest.DUMP_NAME
            with s3_errors(self.label):
                self._client.download_file(self._bucket, self._prefix + manifest.DUMP_NAME, str(path))
            os.chmod(path, PRIVATE_FILE)
            yield path

    def write_manifest(self, data: bytes) -> None:
        with s3_errors(self.label):
            self._client.put_object(
                Bucket=self._bucket, Key=self._prefix + manifest.NAME, Body=data, ContentType="application/json"
            )

    def read_manifest(self) -> bytes | None:
        found = self._everything.read_if_present(manifest.NAME)
        return found[0] if found else None


def _new_private_file(path: Path) -> Path:
    """Create the file, empty and readable by its owner only, before anything is written to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    return path
