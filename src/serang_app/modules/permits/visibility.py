"""Fields shown only when another list field holds one of some values (`shown_when`). A hidden
field is never required, and an answer to it is dropped when the application is submitted: the
applicant may have answered it before changing the answer that shows it, and what is not asked
is not kept (nor printed on the letter)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from serang_app.api import AttributeAnswer
from serang_app.modules.permits.definition import ServiceField


def shown_fields(fields: Sequence[ServiceField], answers: Mapping[str, AttributeAnswer]) -> list[ServiceField]:
    by_code = {field.code: field for field in fields}
    shown: dict[str, bool] = {}

    def is_shown(field: ServiceField, depth: int) -> bool:
        if field.code in shown:
            return shown[field.code]
        condition = field.shown_when
        visible = True
        if condition is not None:
            parent = by_code.get(condition.field)
            # Definitions are checked for circles when saved; the depth bound is only a guard.
            if parent is None or depth > len(fields) or not is_shown(parent, depth + 1):
                visible = False
            else:
                answer = answers.get(parent.code)
                held = answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
                visible = bool(set(held) & set(condition.values))
        shown[field.code] = visible
        return visible

    return [field for field in fields if is_shown(field, 0)]


def without_hidden(
    fields: Sequence[ServiceField], answers: Mapping[str, AttributeAnswer]
) -> tuple[list[ServiceField], dict[str, AttributeAnswer]]:
    """The fields shown, and the answers without those to hidden fields (unknown codes stay, to be
    named as unknown)."""
    visible = shown_fields(fields, answers)
    hidden = {field.code for field in fields} - {field.code for field in visible}
    return visible, {code: answer for code, answer in answers.items() if code not in hidden}
