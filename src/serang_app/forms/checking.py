"""Checking form fields as admins define them, and the answers residents give, naming every
problem at once (the field names start with `prefix`: `attributes.road_kind`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from serang_app.forms.fields import Attribute, AttributeAnswer
from serang_app.http.problems import LocalizedFieldError
from serang_app.http.text import MULTILINE_TEXT, PLAIN_TEXT

LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})
MAX_STRING = 200
MAX_TEXT = 2000


def definition_problems(attributes: Sequence[Attribute], *, prefix: str = "attributes") -> list[LocalizedFieldError]:
    """What is wrong with a category's questions: repeated codes, lists without choices (or with
    repeated keys), choices on a question that is not a list."""
    problems: list[LocalizedFieldError] = []
    seen: set[str] = set()
    for index, attribute in enumerate(attributes):
        field = f"{prefix}[{index}]"
        if attribute.code in seen:
            problems.append(LocalizedFieldError(f"{field}.code", "Kode dipakai dua kali", "Code used twice"))
        seen.add(attribute.code)
        keys = [choice.key for choice in attribute.values]
        if attribute.datatype in LIST_TYPES and not keys:
            problems.append(
                LocalizedFieldError(f"{field}.values", "Daftar pilihan wajib diisi", "A list needs choices")
            )
        elif attribute.datatype not in LIST_TYPES and keys:
            problems.append(
                LocalizedFieldError(
                    f"{field}.values", "Hanya daftar yang punya pilihan", "Only list questions have choices"
                )
            )
        if len(set(keys)) != len(keys):
            problems.append(
                LocalizedFieldError(f"{field}.values", "Kunci pilihan dipakai dua kali", "A choice key is used twice")
            )
    return problems


def answer_text_problems(
    answers: Mapping[str, AttributeAnswer | None], *, prefix: str = "attributes"
) -> list[LocalizedFieldError]:
    """Answers holding a character no text may hold (http/text.py): a text answer may have several
    lines, a choice key one. Checked whenever answers arrive, even those kept for later."""
    problems = []
    for code, answer in answers.items():
        texts = [answer] if isinstance(answer, str) else answer if isinstance(answer, list) else []
        rule = MULTILINE_TEXT if isinstance(answer, str) else PLAIN_TEXT
        if any(not re.match(rule, text) for text in texts):
            problems.append(
                LocalizedFieldError(
                    f"{prefix}.{code}",
                    "Berisi karakter yang tidak diizinkan",
                    "Holds a character that is not allowed",
                    code="pattern",
                )
            )
    return problems


def answer_problems(
    attributes: Sequence[Attribute], answers: Mapping[str, AttributeAnswer], *, prefix: str = "attributes"
) -> list[LocalizedFieldError]:
    """What is wrong with the answers: unknown questions, required ones missing, wrong types,
    choices not offered."""
    by_code = {attribute.code: attribute for attribute in attributes}
    problems = answer_text_problems(answers, prefix=prefix)
    refused = {problem.field for problem in problems}
    problems += [
        LocalizedFieldError(f"{prefix}.{code}", "Pertanyaan ini tidak ada", "No such question", code="unknown_field")
        for code in sorted(set(answers) - set(by_code))
    ]
    for attribute in attributes:
        field = f"{prefix}.{attribute.code}"
        if field in refused:
            continue  # one problem per answer: its characters
        if attribute.code not in answers:
            if attribute.required:
                problems.append(
                    LocalizedFieldError(field, "Wajib dijawab", "This question must be answered", code="required")
                )
            continue
        problem = _answer_problem(attribute, answers[attribute.code])
        if problem is not None:
            problems.append(LocalizedFieldError(field, *problem))
    return problems


def _answer_problem(attribute: Attribute, answer: AttributeAnswer) -> tuple[str, str] | None:
    keys = {choice.key for choice in attribute.values}
    match attribute.datatype:
        case "string" | "text":
            limit = MAX_STRING if attribute.datatype == "string" else MAX_TEXT
            if not isinstance(answer, str) or not answer.strip():
                return ("Harus berupa teks", "Must be text")
            if len(answer) > limit:
                return (f"Paling banyak {limit} karakter", f"At most {limit} characters")
            # Text answers may have lines; a `string` has one (GeoReport v2's input field).
            if attribute.datatype == "string" and not re.match(PLAIN_TEXT, answer):
                return ("Hanya satu baris", "One line only")
        case "number":
            if not isinstance(answer, float):
                return ("Harus berupa angka", "Must be a number")
        case "datetime":
            if not isinstance(answer, str) or not _is_datetime(answer):
                return ("Harus berupa tanggal dan waktu ISO 8601", "Must be an ISO 8601 date and time")
        case "singlevaluelist":
            if not isinstance(answer, str) or answer not in keys:
                return ("Pilih salah satu pilihan yang tersedia", "Choose one of the offered choices")
        case "multivaluelist":
            if not isinstance(answer, list) or not answer or len(set(answer)) != len(answer) or set(answer) - keys:
                return ("Pilih satu atau lebih pilihan yang tersedia", "Choose one or more of the offered choices")
    return None


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
