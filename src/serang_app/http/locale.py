"""The caller's language: Indonesian unless the request prefers English."""

from __future__ import annotations

from typing import Literal

Locale = Literal["id", "en"]
DEFAULT_LOCALE: Locale = "id"


def negotiate_locale(accept_language: str | None) -> Locale:
    """Pick id or en from an Accept-Language header, honouring q-values; anything else means id."""
    if not accept_language:
        return DEFAULT_LOCALE
    best: tuple[float, Locale] = (0.0, DEFAULT_LOCALE)
    for part in accept_language.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in ("id", "en"):
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > best[0]:
            best = (quality, "en" if language == "en" else "id")
    return best[1]
