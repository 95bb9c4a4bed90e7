"""Starting, completing, reading and attaching uploads.

Completion reads the object back and checks it before anything may use it: presigned policies
limit what the phone can send to S3, but not every store enforces them (moto does not), and a
phone can lie about what a file is. Files are checked in a checking process (check_pool.py), with
no database connection held meanwhile, and what was checked is written where no client URL can
write (keys.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.db.pool import Database
from serang_app.health.series import UPLOADS_COMPLETED, UPLOADS_REFUSED
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.storage.backend import ObjectTooLargeError, Storage
from serang_app.uploads.check_pool import CheckPool, CheckQueueFullError
from serang_app.uploads.keys import incoming_key, kept_key
from serang_app.uploads.purposes import PDF_TYPE, PURPOSES
from serang_app.uploads.refusal import FileRefusedError
from serang_app.uploads.schemas import StartedUpload, Upload, UploadFile, UploadForm, UploadRequest

UPLOAD_URL_SECONDS = 10 * 60
DOWNLOAD_URL_SECONDS = 5 * 60

_COLUMNS = """id, resident_id, staff_id, purpose, declared_type, declared_bytes, object_key, status, content_type, bytes,
width, height, files, case_id, created_at, completed_at"""
_UPLOAD_COLUMNS = ", ".join(f"u.{column.strip()}" for column in _COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class UploadOwner:
    """Who uploads: a resident, or a staff member (with their role, which decides the purposes)."""

    id: uuid.UUID
    role: str

    @classmethod
    def of(cls, actor: CaseActor) -> UploadOwner:
        assert actor.id is not None, "the system does not upload"
        return cls(id=actor.id, role=actor.role)

    @property
    def is_resident(self) -> bool:
        return self.role == "resident"

    @property
    def column(self) -> str:
        return "resident_id" if self.is_resident else "staff_id"

    @property
    def table(self) -> str:
        return "residents" if self.is_resident else "staff"


async def start_upload(
    connection: asyncpg.Connection,
    storage: Storage,
    owner: UploadOwner,
    request: UploadRequest,
    base_url: str,
    *,
    max_pending: int,
) -> StartedUpload:
    """Record the upload and presign where to send it. At most `max_pending` uncompleted uploads
    per owner (SERANG_MAX_PENDING_UPLOADS); those left a day are removed (cleanup.py)."""
    purpose = PURPOSES[request.purpose]
    if owner.role not in purpose.roles:
        UPLOADS_REFUSED.labels(purpose.code, "purpose_not_allowed").inc()
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "purpose", "Anda tidak dapat mengunggah untuk keperluan ini", "You cannot upload for this purpose"
                )
            ],
        )
    if request.content_type not in purpose.content_types:
        allowed = ", ".join(sorted(purpose.content_types))
        UPLOADS_REFUSED.labels(purpose.code, "type_not_accepted").inc()
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "content_type",
                    f"Jenis berkas ini tidak diterima; gunakan {allowed}",
                    f"Not accepted; use {allowed}",
                )
            ],
        )
    if request.size > purpose.max_bytes:
        megabytes = purpose.max_bytes // (1024 * 1024)
        UPLOADS_REFUSED.labels(purpose.code, "declared_too_large").inc()
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError("size", f"Berkas lebih dari {megabytes} MB", f"The file is over {megabytes} MB")
            ],
        )
    async with connection.transaction():
        # One start at a time per owner, so the bound on pending uploads holds under retries.
        await connection.execute(f"SELECT 1 FROM {owner.table} WHERE id = $1 FOR UPDATE", owner.id)  # noqa: S608
        pending = await connection.fetchval(
            f"SELECT count(*) FROM uploads WHERE {owner.column} = $1 AND status = 'pending'",  # noqa: S608
            owner.id,
        )
        if pending >= max_pending:
            UPLOADS_REFUSED.labels(purpose.code, "too_many_pending_uploads").inc()
            raise ApiError(409, "too_many_pending_uploads", params={"limit": max_pending})
        upload_id = uuid.uuid4()
        key = incoming_key(owner.id, upload_id)
        await connection.execute(
            f"""INSERT INTO uploads (id, {owner.column}, purpose, declared_type, declared_bytes, object_key)
               VALUES ($1, $2, $3, $4, $5, $6)""",  # noqa: S608 (a constant column name)
            upload_id,
            owner.id,
            purpose.code,
            request.content_type,
            request.size,
            key,
        )
    # The signed size range is the declared size: the phone knows its file's size exactly.
    target = storage.upload_target(key, request.content_type, request.size, UPLOAD_URL_SECONDS, base_url)
    return StartedUpload(
        id=upload_id,
        upload=UploadForm(
            method=target.method,
            url=target.url,
            fields=target.fields,
            headers=target.headers,
            expires_at=datetime.now(UTC) + timedelta(seconds=UPLOAD_URL_SECONDS),
        ),
    )


async def complete_upload(
    database: Database,
    storage: Storage,
    check_pool: CheckPool,
    owner: UploadOwner,
    upload_id: uuid.UUID,
    base_url: str,
) -> Upload:
    """Check the stored object and keep what may be used; 422 with the reason (and nothing left
    behind) when it fails. Completing twice answers the completed upload again."""
    async with database.acquire() as connection:
        row = await _own_upload(connection, owner, upload_id)
    if row["status"] == "completed":
        return _as_upload(row, storage, base_url)
    # The slot bounds how many files this process holds and checks at once, and how many
    # completions wait for one (check_pool.py); the file stays stored for the phone's retry.
    try:
        async with check_pool.slot():
            files, found = await _check_and_keep(database, storage, check_pool, owner, row)
    except CheckQueueFullError as busy:
        raise ApiError(503, "upload_checks_busy", headers={"Retry-After": str(busy.retry_after)}) from None
    async with database.acquire() as connection:
        completed = await connection.fetchrow(
            f"""UPDATE uploads SET status = 'completed', completed_at = now(), files = $3,
                   content_type = $4, bytes = $5, width = $6, height = $7
               WHERE id = $1 AND {owner.column} = $2 AND status = 'pending'
               RETURNING {_COLUMNS}""",  # noqa: S608 (constant columns)
            upload_id,
            owner.id,
            files,
            found["content_type"],
            found["bytes"],
            found["width"],
            found["height"],
        )
        if completed is None:  # completed by a parallel request meanwhile: same files, same answer
            completed = await _own_upload(connection, owner, upload_id)
        else:
            UPLOADS_COMPLETED.labels(row["purpose"]).inc()
    return _as_upload(completed, storage, base_url)


async def _check_and_keep(
    database: Database, storage: Storage, check_pool: CheckPool, owner: UploadOwner, row: asyncpg.Record
) -> tuple[dict[str, str], dict[str, Any]]:
    """Read the sent file, check it, and write what was checked under keys no client URL names
    (the sent object stays writable by its URL until that expires); then delete the sent one."""
    sent = row["object_key"]
    try:
        data = await storage.read(sent, row["declared_bytes"])
    except ObjectTooLargeError:
        await _refuse(database, storage, row, "upload_too_large")
    if data is None:
        # Not sent yet (or still on its way): the phone may send it and complete again.
        raise ApiError(409, "upload_not_received")
    try:
        photo = await check_pool.check(data, row["declared_type"])
    except FileRefusedError as refused:
        await _refuse(database, storage, row, refused.code)
    if photo is None:
        files = {"document": kept_key(owner.id, row["id"], "document.pdf")}
        await storage.write(files["document"], data, PDF_TYPE)
        found: dict[str, Any] = {"content_type": PDF_TYPE, "bytes": len(data), "width": None, "height": None}
    else:
        files = {
            "display": kept_key(owner.id, row["id"], "display.jpg"),
            "thumbnail": kept_key(owner.id, row["id"], "thumbnail.jpg"),
        }
        await storage.write(files["display"], photo.display, "image/jpeg")
        await storage.write(files["thumbnail"], photo.thumbnail, "image/jpeg")
        found = {
            "content_type": "image/jpeg",
            "bytes": len(photo.display),
            "width": photo.width,
            "height": photo.height,
        }
    await storage.delete(sent)  # a photo's original holds its EXIF (GPS, camera)
    return files, found


async def read_upload(
    connection: asyncpg.Connection, storage: Storage, actor: CaseActor, upload_id: uuid.UUID, base_url: str
) -> Upload:
    """The owner sees their upload; once it is attached to a case, whoever may see the case does
    (the case's resident sees the staff's proof photos, the agency the resident's photos)."""
    row = await connection.fetchrow(
        f"""SELECT {_UPLOAD_COLUMNS}, c.opd_code, c.resident_id AS case_resident_id
            FROM uploads u LEFT JOIN cases c ON c.id = u.case_id WHERE u.id = $1""",  # noqa: S608
        upload_id,
    )
    if row is None:
        raise ApiError(404)
    own = actor.id is not None and actor.id == (row["staff_id"] if actor.is_staff else row["resident_id"])
    on_visible_case = row["case_id"] is not None and actor.may_see(row["case_resident_id"], row["opd_code"])
    if not (own or on_visible_case):
        raise ApiError(404)
    return _as_upload(row, storage, base_url)


async def public_thumbnail_url(
    connection: asyncpg.Connection, storage: Storage, upload_id: uuid.UUID, base_url: str
) -> str:
    """A short-lived link to the thumbnail of a photo attached to a public case; 404 for any other,
    and for one staff hid from the public (uploads/hiding.py)."""
    key = await connection.fetchval(
        """SELECT u.files->>'thumbnail' FROM uploads u JOIN cases c ON c.id = u.case_id
           WHERE u.id = $1 AND c.is_public AND u.hidden_at IS NULL""",
        upload_id,
    )
    if key is None:
        raise ApiError(404)
    return storage.download_url(key, DOWNLOAD_URL_SECONDS, base_url)


async def attach_uploads(
    connection: asyncpg.Connection, owner: UploadOwner, case_id: uuid.UUID, upload_ids: Sequence[uuid.UUID]
) -> None:
    """Attach the owner's completed, unused uploads to a case (in the caller's transaction)."""
    await _mark_in_use(connection, owner, upload_ids, case_id=case_id)


async def use_uploads(
    connection: asyncpg.Connection,
    owner: UploadOwner,
    upload_ids: Sequence[uuid.UUID],
    *,
    purposes: Sequence[str] | None = None,
) -> None:
    """Mark the owner's completed, unused uploads as used by something other than a case (an
    announcement), so the clean-up keeps them; in the caller's transaction."""
    await _mark_in_use(connection, owner, upload_ids, case_id=None, purposes=purposes)


async def link_used_uploads(
    connection: asyncpg.Connection, owner: UploadOwner, case_id: uuid.UUID, upload_ids: Sequence[uuid.UUID]
) -> None:
    """Uploads already in use by the owner's draft (use_uploads) now belong to its case, so that
    whoever may see the case may read them."""
    if upload_ids:
        await connection.execute(
            f"""UPDATE uploads SET case_id = $1
                WHERE id = ANY($2::uuid[]) AND {owner.column} = $3 AND attached_at IS NOT NULL AND case_id IS NULL""",  # noqa: S608
            case_id,
            list(upload_ids),
            owner.id,
        )


async def release_uploads(connection: asyncpg.Connection, owner: UploadOwner, upload_ids: Sequence[uuid.UUID]) -> None:
    """Uploads a draft no longer uses (a document replaced): unused again, so the clean-up removes
    them after a day."""
    if upload_ids:
        await connection.execute(
            f"""UPDATE uploads SET attached_at = NULL
                WHERE id = ANY($1::uuid[]) AND {owner.column} = $2 AND case_id IS NULL""",  # noqa: S608
            list(upload_ids),
            owner.id,
        )


async def _mark_in_use(
    connection: asyncpg.Connection,
    owner: UploadOwner,
    upload_ids: Sequence[uuid.UUID],
    *,
    case_id: uuid.UUID | None,
    purposes: Sequence[str] | None = None,
) -> None:
    """Any id that is not the owner's completed, unused upload (of one of `purposes`, when given)
    answers 404, as if it did not exist: another's upload, one still pending, one used elsewhere."""
    wanted = set(upload_ids)
    if not wanted:
        return
    marked = await connection.fetch(
        f"""UPDATE uploads SET case_id = $1, attached_at = now()
           WHERE id = ANY($2::uuid[]) AND {owner.column} = $3 AND status = 'completed' AND attached_at IS NULL
             AND ($4::text[] IS NULL OR purpose = ANY($4::text[]))
           RETURNING id""",  # noqa: S608 (a constant column name)
        case_id,
        list(wanted),
        owner.id,
        list(purposes) if purposes is not None else None,
    )
    if len(marked) != len(wanted):
        raise ApiError(404, "upload_not_found")


async def _own_upload(connection: asyncpg.Connection, owner: UploadOwner, upload_id: uuid.UUID) -> asyncpg.Record:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM uploads WHERE id = $1 AND {owner.column} = $2",  # noqa: S608 (constant columns)
        upload_id,
        owner.id,
    )
    if row is None:
        raise ApiError(404)
    return row


async def _refuse(database: Database, storage: Storage, row: asyncpg.Record, code: str) -> NoReturn:
    """Remove the object and the upload, then answer 422 with the reason."""
    UPLOADS_REFUSED.labels(row["purpose"], code).inc()
    await storage.delete(row["object_key"])
    async with database.acquire() as connection:
        await connection.execute("DELETE FROM uploads WHERE id = $1 AND status = 'pending'", row["id"])
    raise ApiError(422, code)


def _as_upload(row: asyncpg.Record, storage: Storage, base_url: str) -> Upload:
    files = row["files"] or {}
    return Upload(
        id=row["id"],
        purpose=row["purpose"],
        status=row["status"],
        content_type=row["content_type"],
        bytes=row["bytes"],
        width=row["width"],
        height=row["height"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
        case_id=row["case_id"],
        files=[
            UploadFile(name=name, url=storage.download_url(key, DOWNLOAD_URL_SECONDS, base_url))
            for name, key in sorted(files.items())
        ],
    )
