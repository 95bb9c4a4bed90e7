"""The text of a notification in the recipient's language, from the core domains' and modules' templates.

Templates are `Text`s with placeholders (`{reference}`, `{status}`) filled from the notification's
parameters; `{status}` becomes the status's title in the recipient's language. A placeholder
with no value stays as written rather than failing: a template is a module's, a notification
row may be older than the module's current version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from serang_app.bilingual import Text
from serang_app.declaration import Declaration
from serang_app.module_system.spec import ModuleSpec

# For a template a disabled or changed module no longer declares.
FALLBACK = Text(id="Ada pembaruan pada permohonan {reference}.", en="There is an update on your request {reference}.")


class _KeepMissing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class NotificationTexts:
    def __init__(self, core: Iterable[Declaration[object]], specs: Iterable[ModuleSpec]) -> None:
        """``core``: the core's domains (domains.py), whose templates are the source "core"."""
        self._texts: dict[tuple[str, str], Text] = {
            ("core", code): text for domain in core for code, text in domain.templates.items()
        }
        for spec in specs:
            self._texts.update({(spec.slug, code): text for code, text in spec.templates.items()})

    def render(
        self, source: str, template: str, params: Mapping[str, Any], locale: str, status_title: Text | None = None
    ) -> str:
        text = self._texts.get((source, template), FALLBACK)
        values = _KeepMissing({name: str(value) for name, value in params.items()})
        if status_title is not None:
            values["status"] = status_title.in_locale(locale)
        return text.in_locale(locale).format_map(values)
