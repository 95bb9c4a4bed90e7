"""The uploads domain: checked photos and documents, and deleting those never used."""

from __future__ import annotations

import structlog

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.uploads.cleanup import delete_abandoned_uploads, delete_stray_incoming_files
from serang_app.uploads.routes import UploadController
from serang_app.worker.context import WorkerContext

logger = structlog.get_logger("serang_app.worker")


async def _delete_abandoned_uploads(context: WorkerContext) -> None:
    deleted = await delete_abandoned_uploads(context.database, context.storage)
    if deleted:
        logger.info("abandoned_uploads_deleted", count=deleted)
    stray = await delete_stray_incoming_files(context.database, context.storage)
    if stray:
        logger.info("stray_incoming_files_deleted", count=stray)


UPLOADS = CoreDomain(
    name="uploads",
    signed_in_routes=(UploadController,),
    permissions=(
        Permission(
            "uploads.create",
            ("resident", "officer", "supervisor", "admin"),
            "Upload photos and documents (each purpose names the roles it is for)",
        ),
        Permission(
            "uploads.read",
            ("resident", "officer", "supervisor", "admin"),
            "Read an upload one may see (checked per upload)",
        ),
    ),
    # Uploads never completed, or never attached to anything, after a day.
    tasks=(PeriodicTask("delete_abandoned_uploads", 15 * 60, _delete_abandoned_uploads),),
    problems={
        "too_many_pending_uploads": ProblemText(
            title=Text(id="Terlalu banyak unggahan tertunda", en="Too many pending uploads"),
            detail=Text(
                id="Selesaikan atau tunggu unggahan sebelumnya; paling banyak {limit} unggahan tertunda.",
                en="Complete or wait for your earlier uploads; at most {limit} may be pending.",
            ),
        ),
        "upload_not_received": ProblemText(
            title=Text(id="Berkas belum diterima", en="File not received yet"),
            detail=Text(
                id="Berkas belum sampai di penyimpanan. Kirim berkasnya, lalu coba lagi.",
                en="The file has not reached storage yet. Send it, then try again.",
            ),
        ),
        "upload_not_found": ProblemText(
            title=Text(id="Unggahan tidak ditemukan", en="Upload not found"),
            detail=Text(
                id="Salah satu unggahan tidak ada, belum selesai, atau sudah dipakai.",
                en="One of the uploads does not exist, is not completed, or is already in use.",
            ),
        ),
        "upload_too_large": ProblemText(
            title=Text(id="Berkas terlalu besar", en="File too large"),
            detail=Text(
                id="Berkas lebih besar dari yang diberitahukan saat mulai mengunggah. Berkas telah dihapus.",
                en="The file is larger than declared when the upload started. It has been deleted.",
            ),
        ),
        "upload_not_an_image": ProblemText(
            title=Text(id="Bukan gambar", en="Not an image"),
            detail=Text(
                id="Berkas ini bukan gambar yang dapat dibaca. Berkas telah dihapus.",
                en="This file is not a readable image. It has been deleted.",
            ),
        ),
        "upload_type_mismatch": ProblemText(
            title=Text(id="Jenis berkas tidak sesuai", en="Wrong file type"),
            detail=Text(
                id="Isi berkas tidak sesuai dengan jenis yang diberitahukan. Berkas telah dihapus.",
                en="The file's content does not match the declared type. It has been deleted.",
            ),
        ),
        "upload_too_many_pixels": ProblemText(
            title=Text(id="Gambar terlalu besar", en="Image too large"),
            detail=Text(
                id=(
                    "Gambar melebihi 50 megapiksel (PNG dan JPEG progresif: 16 megapiksel; WebP: 8 "
                    "megapiksel). Berkas telah dihapus."
                ),
                en=(
                    "The image is over 50 megapixels (PNG and progressive JPEG: 16 megapixels; WebP: 8 "
                    "megapixels). It has been deleted."
                ),
            ),
        ),
        "upload_checks_busy": ProblemText(
            title=Text(id="Pemeriksaan berkas sedang penuh", en="File checks are busy"),
            detail=Text(
                id="Banyak berkas sedang diperiksa. Berkas Anda tetap tersimpan: selesaikan lagi setelah "
                "beberapa detik.",
                en="Many files are being checked. Yours is kept: complete it again in a few seconds.",
            ),
        ),
        "upload_too_complex": ProblemText(
            title=Text(id="Berkas terlalu berat untuk diperiksa", en="File too costly to check"),
            detail=Text(
                id="Memeriksa berkas ini memerlukan memori atau waktu melebihi batas. Berkas telah dihapus.",
                en="Checking this file needs more memory or time than allowed. It has been deleted.",
            ),
        ),
        "upload_not_pdf": ProblemText(
            title=Text(id="Bukan PDF", en="Not a PDF"),
            detail=Text(
                id="Berkas ini bukan dokumen PDF. Berkas telah dihapus.",
                en="This file is not a PDF document. It has been deleted.",
            ),
        ),
        "upload_pdf_active_content": ProblemText(
            title=Text(id="PDF berisi kode", en="PDF contains code"),
            detail=Text(
                id=(
                    "PDF ini berisi JavaScript atau perintah menjalankan program, yang tidak diterima. Berkas"
                    " telah dihapus."
                ),
                en=(
                    "This PDF contains JavaScript or an action that launches a program, which is not "
                    "accepted. It has been deleted."
                ),
            ),
        ),
        "upload_pdf_locked": ProblemText(
            title=Text(id="PDF terkunci", en="PDF locked"),
            detail=Text(
                id=(
                    "PDF ini dilindungi kata sandi sehingga tidak dapat diperiksa. Kirim tanpa kata sandi. "
                    "Berkas telah dihapus."
                ),
                en=(
                    "This PDF is protected by a password, so it cannot be checked. Send it without one. It "
                    "has been deleted."
                ),
            ),
        ),
    },
)
