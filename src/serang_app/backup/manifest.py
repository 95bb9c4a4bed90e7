"""manifest.json: what a backup holds, with checksums, written last so that its presence says the
backup is whole."""

from __future__ import annotations

import msgspec

from serang_app.backup.errors import BackupError

FORMAT = 1
NAME = "manifest.json"
DUMP_NAME = "database.dump"
OBJECTS_FOLDER = "objects/"


class ObjectEntry(msgspec.Struct, frozen=True):
    key: str
    bytes: int
    sha256: str
    content_type: str


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: int = FORMAT
    created_at: str
    app_version: str
    # The dumped server's major version: restore into this one or a newer one.
    server_major: int
    pg_dump: str
    # pg_restore must be at least this version to read the dump.
    pg_dump_major: int
    database_bytes: int
    database_sha256: str
    objects: list[ObjectEntry]


def encode(manifest: Manifest) -> bytes:
    return msgspec.json.format(msgspec.json.encode(manifest)) + b"\n"


def decode(data: bytes | None, where: str) -> Manifest:
    if data is None:
        raise BackupError(
            f"{where} holds no {NAME}: not a backup made by `serang-app backup create`, or an unfinished one"
        )
    try:
        manifest = msgspec.json.decode(data, type=Manifest)
    except msgspec.DecodeError as error:
        raise BackupError(f"{where}/{NAME} is damaged: {error}") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{where} is a backup of format {manifest.format}; this version reads format {FORMAT}")
    return manifest
