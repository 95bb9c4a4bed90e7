"""The documents a service asks for, checked as a definition is saved (permit types and service
definitions alike)."""

from __future__ import annotations

from collections.abc import Sequence

from serang_app.api import LocalizedFieldError
from serang_app.modules.permits.schemas import DocumentRequirement


def document_problems(documents: Sequence[DocumentRequirement]) -> list[LocalizedFieldError]:
    problems: list[LocalizedFieldError] = []
    seen: set[str] = set()
    for index, document in enumerate(documents):
        if document.code in seen:
            problems.append(LocalizedFieldError(f"documents[{index}].code", "Kode dipakai dua kali", "Code used twice"))
        seen.add(document.code)
        if len(set(document.kinds)) != len(document.kinds):
            problems.append(
                LocalizedFieldError(
                    f"documents[{index}].kinds", "Jenis berkas dipakai dua kali", "A kind is listed twice"
                )
            )
    return problems
