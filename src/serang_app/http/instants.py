"""Instants in query strings: ISO 8601 with an explicit offset, as the API map prescribes."""

from __future__ import annotations

from datetime import datetime

from serang_app.http.problems import ApiError, LocalizedFieldError

ISO_INSTANT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"


def instant_in(field: str, text: str) -> datetime:
    """The instant a pattern-checked parameter names; 422 naming it when the date does not exist."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            errors=[LocalizedFieldError(field, "Tanggal atau jam tidak ada di kalender", "Not a real date and time")],
        ) from None
