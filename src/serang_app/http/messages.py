"""Problem texts by code: the HTTP layer's own, and those every domain and module declares.

The texts of a domain's codes live with the domain that answers them (its `domain.py`, a
module's `ModuleSpec.problems`); app.py registers them all here when it builds the app. The HTTP
layer's own codes (any route may answer them) are declared below and always present.
"""

from __future__ import annotations

from collections.abc import Mapping

from serang_app.bilingual import ProblemText, Text
from serang_app.http.locale import Locale

HTTP_PROBLEMS: dict[str, ProblemText] = {
    "bad_request": ProblemText(
        title=Text(id="Permintaan tidak valid", en="Bad request"),
        detail=Text(
            id="Permintaan tidak dapat dibaca. Periksa format JSON-nya.",
            en="The request could not be read. Check that its JSON is well formed.",
        ),
    ),
    "unauthorized": ProblemText(
        title=Text(id="Perlu masuk", en="Authentication required"),
        detail=Text(
            id="Silakan masuk terlebih dahulu.",
            en="Please sign in first.",
        ),
    ),
    "forbidden": ProblemText(
        title=Text(id="Akses ditolak", en="Forbidden"),
        detail=Text(
            id="Anda tidak berhak melakukan tindakan ini.",
            en="You are not allowed to do this.",
        ),
    ),
    "not_found": ProblemText(
        title=Text(id="Tidak ditemukan", en="Not found"),
        detail=Text(
            id="Data atau alamat yang diminta tidak ditemukan.",
            en="The requested resource was not found.",
        ),
    ),
    "method_not_allowed": ProblemText(
        title=Text(id="Metode tidak diizinkan", en="Method not allowed"),
        detail=Text(
            id="Metode HTTP ini tidak didukung untuk alamat ini.",
            en="This HTTP method is not supported here.",
        ),
    ),
    "conflict": ProblemText(
        title=Text(id="Konflik", en="Conflict"),
        detail=Text(
            id="Permintaan bertentangan dengan keadaan data saat ini.",
            en="The request conflicts with the current state of the resource.",
        ),
    ),
    "precondition_failed": ProblemText(
        title=Text(id="Data sudah berubah", en="Precondition failed"),
        detail=Text(
            id="Data telah diubah oleh pihak lain. Muat ulang lalu coba lagi.",
            en="The resource was changed by someone else. Reload it and try again.",
        ),
    ),
    "payload_too_large": ProblemText(
        title=Text(id="Permintaan terlalu besar", en="Payload too large"),
        detail=Text(
            id="Isi permintaan melebihi batas {limit} bita.",
            en="The request body exceeds the limit of {limit} bytes.",
        ),
    ),
    "unsupported_media_type": ProblemText(
        title=Text(id="Jenis isi tidak didukung", en="Unsupported media type"),
        detail=Text(
            id="Kirim isi permintaan sebagai application/json.",
            en="Send the request body as application/json.",
        ),
    ),
    "invalid_input": ProblemText(
        title=Text(id="Data tidak valid", en="Invalid input"),
        detail=Text(
            id="Beberapa isian tidak valid. Lihat daftar kesalahannya.",
            en="Some fields are invalid. See the list of errors.",
        ),
    ),
    "too_many_requests": ProblemText(
        title=Text(id="Terlalu banyak permintaan", en="Too many requests"),
        detail=Text(
            id="Terlalu banyak permintaan. Coba lagi sebentar lagi.",
            en="Too many requests. Please try again shortly.",
        ),
    ),
    "internal_error": ProblemText(
        title=Text(id="Terjadi kesalahan", en="Internal error"),
        detail=Text(
            id="Terjadi kesalahan pada server. Coba lagi nanti.",
            en="Something went wrong on the server. Please try again later.",
        ),
    ),
    "unavailable": ProblemText(
        title=Text(id="Layanan tidak tersedia", en="Service unavailable"),
        detail=Text(
            id="Layanan sedang tidak tersedia. Coba lagi sebentar lagi.",
            en="The service is temporarily unavailable. Please try again shortly.",
        ),
    ),
    "idempotency_in_progress": ProblemText(
        title=Text(id="Permintaan masih diproses", en="Request still in progress"),
        detail=Text(
            id="Permintaan pertama dengan Idempotency-Key ini masih diproses. Coba lagi sebentar lagi.",
            en="The first request with this Idempotency-Key is still being processed. Try again shortly.",
        ),
    ),
    "idempotency_key_reused": ProblemText(
        title=Text(id="Idempotency-Key sudah dipakai", en="Idempotency-Key already used"),
        detail=Text(
            id="Idempotency-Key ini sudah dipakai untuk permintaan lain. Gunakan kunci baru untuk permintaan baru.",
            en="This Idempotency-Key was already used for a different request. Use a new key for a new request.",
        ),
    ),
    "precondition_required": ProblemText(
        title=Text(id="Versi data diperlukan", en="Precondition required"),
        detail=Text(
            id="Sertakan header If-Match berisi ETag terakhir dari data ini.",
            en="Send an If-Match header with the latest ETag of this resource.",
        ),
    ),
}

_PROBLEMS: dict[str, ProblemText] = dict(HTTP_PROBLEMS)


def register_problems(problems: Mapping[str, ProblemText]) -> None:
    """Add the texts a core domain or an enabled module declares (validation keeps modules' codes
    apart from the core's and from each other's by the slug prefix; domains.py keeps the core's
    domains apart)."""
    _PROBLEMS.update(problems)


def problem_text(code: str) -> ProblemText:
    """The code's texts; an unknown code reads as an internal error."""
    return _PROBLEMS.get(code, HTTP_PROBLEMS["internal_error"])


def title_and_detail(code: str, locale: Locale, params: dict[str, object] | None = None) -> tuple[str, str]:
    text = problem_text(code)
    title, detail = text.title.in_locale(locale), text.detail.in_locale(locale)
    return title, detail.format(**params) if params else detail
