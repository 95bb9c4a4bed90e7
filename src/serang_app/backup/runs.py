"""Create, restore and verify a backup: the database's dump and the uploads' objects together."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from serang_app.backup import manifest as manifests
from serang_app.backup.errors import BackupError, file_errors
from serang_app.backup.locations import BackupLocation
from serang_app.backup.manifest import Manifest, ObjectEntry
from serang_app.backup.object_trees import FolderTree, ObjectTree, S3Tree, copy_objects, is_empty, s3_client
from serang_app.backup.postgres_tools import Connection, check_archive, dump, restore, server_major, tools_for
from serang_app.settings import Settings


def storage_tree(settings: Settings) -> ObjectTree:
    """The uploads' objects where the settings keep them (storage/factory.py decides the same way)."""
    if settings.s3_bucket:
        client = s3_client(settings.s3_endpoint_url, settings.s3_region, path_style=settings.s3_force_path_style)
        return S3Tree(client, settings.s3_bucket)
    return FolderTree(settings.data_path / "storage")


@file_errors()
def create_backup(database_url: str, storage: ObjectTree, location: BackupLocation) -> Manifest:
    if not location.is_empty():
        raise BackupError(f"{location.label} is not empty: back up into a new folder or prefix")
    connection = Connection.parse(database_url)
    major = asyncio.run(server_major(database_url))
    tools = tools_for(major)
    with location.new_dump() as path:
        with path.open("wb") as file:
            dump(tools, connection, file.fileno())
        size, digest = _size_and_sha256(path)
    # The objects are copied after the dump: an object a dumped row names was written before it,
    # so it is in the copy unless the app deleted it in between.
    copied = copy_objects(storage, location.objects)
    made = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        app_version=version("serang-app"),
        server_major=major,
        pg_dump=tools.version,
        pg_dump_major=tools.major,
        database_bytes=size,
        database_sha256=digest,
        objects=[ObjectEntry(item.key, item.bytes, item.sha256, item.content_type) for item in copied],
    )
    # Last: a backup without its manifest is an unfinished one, and restore refuses it.
    location.write_manifest(manifests.encode(made))
    return made


@file_errors()
def restore_backup(location: BackupLocation, database_url: str, storage: ObjectTree) -> Manifest:
    """Into an empty database and an empty storage only: nothing existing is overwritten."""
    found = manifests.decode(location.read_manifest(), location.label)
    if not is_empty(storage):
        raise BackupError(f"the storage {storage.label} is not empty: restore into a new bucket or folder")
    major = asyncio.run(server_major(database_url, must_be_empty=True))
    if major < found.server_major:
        raise BackupError(
            f"the backup is of a PostgreSQL {found.server_major} database: restore it into {found.server_major} "
            f"or newer, not {major}"
        )
    tools = tools_for(max(major, found.pg_dump_major))
    with location.dump_file() as path:
        _check_dump(path, found, location.label)
        restore(tools, Connection.parse(database_url), path, major)
    for entry in found.objects:
        data, content_type = location.objects.read(entry.key)
        _check_object(data, entry, location.label)
        storage.write(entry.key, data, content_type)
    return found


@file_errors()
def verify_backup(location: BackupLocation) -> Manifest:
    """Every checksum, and the dump's table of contents read by pg_restore."""
    found = manifests.decode(location.read_manifest(), location.label)
    tools = tools_for(found.pg_dump_major)
    with location.dump_file() as path:
        _check_dump(path, found, location.label)
        check_archive(tools, path)
    for entry in found.objects:
        data, _ = location.objects.read(entry.key)
        _check_object(data, entry, location.label)
    return found


def _size_and_sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _check_dump(path: Path, found: Manifest, where: str) -> None:
    if _size_and_sha256(path) != (found.database_bytes, found.database_sha256):
        raise BackupError(f"{where}: {manifests.DUMP_NAME} does not match its checksum in {manifests.NAME}")


def _check_object(data: bytes, entry: ObjectEntry, where: str) -> None:
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise BackupError(f"{where}: the object {entry.key} does not match its checksum in {manifests.NAME}")
