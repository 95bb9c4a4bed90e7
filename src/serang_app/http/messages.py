"""Error titles and details in Indonesian and English, by problem code."""

from __future__ import annotations

from serang_app.http.locale import Locale

# code -> (title in id, title in en, detail in id, detail in en). Details may hold {placeholders}.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "app_update_required": (
        "Perbarui aplikasi",
        "Update the app",
        "Versi aplikasi ini tidak lagi didukung; perbarui ke versi {min_version} atau lebih baru.",
        "This version of the app is no longer supported; update to version {min_version} or later.",
    ),
    "bad_request": (
        "Permintaan tidak valid",
        "Bad request",
        "Permintaan tidak dapat dibaca. Periksa format JSON-nya.",
        "The request could not be read. Check that its JSON is well formed.",
    ),
    "unauthorized": (
        "Perlu masuk",
        "Authentication required",
        "Silakan masuk terlebih dahulu.",
        "Please sign in first.",
    ),
    "forbidden": (
        "Akses ditolak",
        "Forbidden",
        "Anda tidak berhak melakukan tindakan ini.",
        "You are not allowed to do this.",
    ),
    "not_found": (
        "Tidak ditemukan",
        "Not found",
        "Data atau alamat yang diminta tidak ditemukan.",
        "The requested resource was not found.",
    ),
    "method_not_allowed": (
        "Metode tidak diizinkan",
        "Method not allowed",
        "Metode HTTP ini tidak didukung untuk alamat ini.",
        "This HTTP method is not supported here.",
    ),
    "conflict": (
        "Konflik",
        "Conflict",
        "Permintaan bertentangan dengan keadaan data saat ini.",
        "The request conflicts with the current state of the resource.",
    ),
    "precondition_failed": (
        "Data sudah berubah",
        "Precondition failed",
        "Data telah diubah oleh pihak lain. Muat ulang lalu coba lagi.",
        "The resource was changed by someone else. Reload it and try again.",
    ),
    "payload_too_large": (
        "Permintaan terlalu besar",
        "Payload too large",
        "Isi permintaan melebihi batas {limit} bita.",
        "The request body exceeds the limit of {limit} bytes.",
    ),
    "unsupported_media_type": (
        "Jenis isi tidak didukung",
        "Unsupported media type",
        "Kirim isi permintaan sebagai application/json.",
        "Send the request body as application/json.",
    ),
    "invalid_input": (
        "Data tidak valid",
        "Invalid input",
        "Beberapa isian tidak valid. Lihat daftar kesalahannya.",
        "Some fields are invalid. See the list of errors.",
    ),
    "too_many_requests": (
        "Terlalu banyak permintaan",
        "Too many requests",
        "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
        "Too many requests. Please try again shortly.",
    ),
    "internal_error": (
        "Terjadi kesalahan",
        "Internal error",
        "Terjadi kesalahan pada server. Coba lagi nanti.",
        "Something went wrong on the server. Please try again later.",
    ),
    "unavailable": (
        "Layanan tidak tersedia",
        "Service unavailable",
        "Layanan sedang tidak tersedia. Coba lagi sebentar lagi.",
        "The service is temporarily unavailable. Please try again shortly.",
    ),
    "firebase_not_configured": (
        "Masuk dengan Firebase belum tersedia",
        "Firebase sign-in not configured",
        "Layanan masuk dengan nomor telepon belum disiapkan di server ini.",
        "Phone-number sign-in is not set up on this server.",
    ),
    "invalid_credentials": (
        "Gagal masuk",
        "Sign-in failed",
        "Email atau kata sandi salah.",
        "The e-mail address or password is wrong.",
    ),
    "sign_in_locked": (
        "Terlalu banyak percobaan",
        "Too many attempts",
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
        "Too many failed sign-in attempts. Try again in {minutes} minutes.",
    ),
    "nik_taken": (
        "NIK sudah terdaftar",
        "NIK already registered",
        "NIK ini sudah terdaftar pada akun lain.",
        "This NIK is already registered to another account.",
    ),
    "opd_exists": (
        "OPD sudah ada",
        "Agency already exists",
        "Kode OPD {code} sudah dipakai.",
        "The agency code {code} is already in use.",
    ),
    "admin_opd_protected": (
        "OPD pengelola tidak dapat ditutup",
        "The administering agency cannot be closed",
        "{code} mengelola aplikasi ini dan menaungi para admin, sehingga tidak dapat dinonaktifkan.",
        "{code} administers this app and holds its admins, so it cannot be deactivated.",
    ),
    "staff_exists": (
        "Akun staf sudah ada",
        "Staff account already exists",
        "Sudah ada akun staf dengan alamat email ini.",
        "A staff account with this e-mail address already exists.",
    ),
    "cannot_disable_self": (
        "Tidak dapat menonaktifkan akun sendiri",
        "Cannot disable your own account",
        "Admin tidak dapat menonaktifkan akunnya sendiri. Minta admin lain untuk melakukannya.",
        "An admin cannot disable their own account. Ask another admin to do it.",
    ),
    "cannot_demote_self": (
        "Tidak dapat menurunkan peran sendiri",
        "Cannot demote yourself",
        "Admin tidak dapat melepas peran adminnya sendiri. Minta admin lain untuk melakukannya.",
        "An admin cannot give up their own admin role. Ask another admin to do it.",
    ),
    "idempotency_in_progress": (
        "Permintaan masih diproses",
        "Request still in progress",
        "Permintaan pertama dengan Idempotency-Key ini masih diproses. Coba lagi sebentar lagi.",
        "The first request with this Idempotency-Key is still being processed. Try again shortly.",
    ),
    "idempotency_key_reused": (
        "Idempotency-Key sudah dipakai",
        "Idempotency-Key already used",
        "Idempotency-Key ini sudah dipakai untuk permintaan lain. Gunakan kunci baru untuk permintaan baru.",
        "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
    ),
    "region_not_found": (
        "Wilayah tidak ditemukan",
        "Region not found",
        "Kode wilayah {code} tidak ada di wilayah layanan ini.",
        "Region code {code} does not exist in this service's region.",
    ),
    "precondition_required": (
        "Versi data diperlukan",
        "Precondition required",
        "Sertakan header If-Match berisi ETag terakhir dari data ini.",
        "Send an If-Match header with the latest ETag of this resource.",
    ),
    "case_action_not_allowed": (
        "Tindakan tidak tersedia",
        "Action not available",
        "Tindakan {action} tidak dapat dilakukan pada status {status}. Lihat allowed_actions.",
        "Action {action} cannot be taken in status {status}. See allowed_actions.",
    ),
    "case_action_forbidden": (
        "Tindakan tidak diizinkan",
        "Action not permitted",
        "Peran Anda tidak boleh melakukan tindakan {action} pada permohonan ini.",
        "Your role may not take action {action} on this case.",
    ),
    "case_assignment_forbidden": (
        "Penugasan tidak diizinkan",
        "Assignment not permitted",
        "Petugas hanya dapat mengambil permohonan yang belum ditangani siapa pun, atau mengembalikan "
        "permohonan yang ia tangani sendiri. Minta supervisor untuk mengalihkannya.",
        "Officers may only take a case nobody holds, or give back one they hold themselves. "
        "Ask a supervisor to reassign it.",
    ),
    "case_not_rateable": (
        "Belum dapat dinilai",
        "Not ready for rating",
        "Permohonan hanya dapat dinilai setelah selesai.",
        "A case can be rated only once it is completed.",
    ),
    "case_already_rated": (
        "Sudah dinilai",
        "Already rated",
        "Permohonan ini sudah Anda nilai.",
        "You have already rated this case.",
    ),
    "too_many_pending_uploads": (
        "Terlalu banyak unggahan tertunda",
        "Too many pending uploads",
        "Selesaikan atau tunggu unggahan sebelumnya; paling banyak {limit} unggahan tertunda.",
        "Complete or wait for your earlier uploads; at most {limit} may be pending.",
    ),
    "upload_not_received": (
        "Berkas belum diterima",
        "File not received yet",
        "Berkas belum sampai di penyimpanan. Kirim berkasnya, lalu coba lagi.",
        "The file has not reached storage yet. Send it, then try again.",
    ),
    "upload_not_found": (
        "Unggahan tidak ditemukan",
        "Upload not found",
        "Salah satu unggahan tidak ada, belum selesai, atau sudah dipakai.",
        "One of the uploads does not exist, is not completed, or is already in use.",
    ),
    "upload_too_large": (
        "Berkas terlalu besar",
        "File too large",
        "Berkas lebih besar dari yang diberitahukan saat mulai mengunggah. Berkas telah dihapus.",
        "The file is larger than declared when the upload started. It has been deleted.",
    ),
    "upload_not_an_image": (
        "Bukan gambar",
        "Not an image",
        "Berkas ini bukan gambar yang dapat dibaca. Berkas telah dihapus.",
        "This file is not a readable image. It has been deleted.",
    ),
    "upload_type_mismatch": (
        "Jenis berkas tidak sesuai",
        "Wrong file type",
        "Isi berkas tidak sesuai dengan jenis yang diberitahukan. Berkas telah dihapus.",
        "The file's content does not match the declared type. It has been deleted.",
    ),
    "upload_too_many_pixels": (
        "Gambar terlalu besar",
        "Image too large",
        "Gambar melebihi 50 megapiksel (PNG dan JPEG progresif: 16 megapiksel; WebP: 8 megapiksel). "
        "Berkas telah dihapus.",
        "The image is over 50 megapixels (PNG and progressive JPEG: 16 megapixels; WebP: 8 megapixels). "
        "It has been deleted.",
    ),
    "upload_too_complex": (
        "Berkas terlalu berat untuk diperiksa",
        "File too costly to check",
        "Memeriksa berkas ini memerlukan memori atau waktu melebihi batas. Berkas telah dihapus.",
        "Checking this file needs more memory or time than allowed. It has been deleted.",
    ),
    "upload_not_pdf": (
        "Bukan PDF",
        "Not a PDF",
        "Berkas ini bukan dokumen PDF. Berkas telah dihapus.",
        "This file is not a PDF document. It has been deleted.",
    ),
    "upload_pdf_active_content": (
        "PDF berisi kode",
        "PDF contains code",
        "PDF ini berisi JavaScript atau perintah menjalankan program, yang tidak diterima. Berkas telah dihapus.",
        "This PDF contains JavaScript or an action that launches a program, which is not accepted. It has been deleted.",
    ),
    "upload_pdf_locked": (
        "PDF terkunci",
        "PDF locked",
        "PDF ini dilindungi kata sandi sehingga tidak dapat diperiksa. Kirim tanpa kata sandi. Berkas telah dihapus.",
        "This PDF is protected by a password, so it cannot be checked. Send it without one. It has been deleted.",
    ),
    "service_closed": (
        "Layanan ditutup",
        "Service closed",
        "Layanan {service} sedang tidak menerima permohonan baru.",
        "Service {service} is not accepting new requests at the moment.",
    ),
    "stats_other_agency": (
        "Bukan OPD Anda",
        "Not your agency",
        "Anda hanya dapat melihat statistik OPD Anda sendiri.",
        "You can only see your own agency's statistics.",
    ),
}


def register_messages(messages: dict[str, tuple[str, str, str, str]]) -> None:
    """Add the enabled modules' problem texts (ModuleSpec.problems; validation keeps their codes
    apart from the core's and from each other's by the slug prefix)."""
    MESSAGES.update(messages)


def title_and_detail(code: str, locale: Locale, params: dict[str, object] | None = None) -> tuple[str, str]:
    title_id, title_en, detail_id, detail_en = MESSAGES.get(code, MESSAGES["internal_error"])
    title, detail = (title_en, detail_en) if locale == "en" else (title_id, detail_id)
    return title, detail.format(**params) if params else detail
