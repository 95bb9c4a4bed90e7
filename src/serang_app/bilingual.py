"""User-facing texts in both of the app's languages: the vocabulary every room speaks.

Neutral ground: it imports nothing of the app, so the core's domains and the module contract can
both use it without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


class Text(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A user-facing text in both of the app's languages."""

    id: str
    en: str

    def in_locale(self, locale: str) -> str:
        return self.en if locale == "en" else self.id


@dataclass(frozen=True, kw_only=True)
class ProblemText:
    """The title and detail of an error answer (ApiError(409, code)); the detail may hold
    {placeholders} filled from the error's params."""

    title: Text
    detail: Text
