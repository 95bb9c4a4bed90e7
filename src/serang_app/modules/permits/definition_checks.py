"""Everything wrong with a definition that its shape cannot say, named at once with the JSON path
of each mistake: codes used twice, a `shown_when` naming no list field (or going round in a
circle), an outcome without its letter or appointment, placeholders and number tokens that do not
exist, an agency or a bookable appointment service that does not."""

from __future__ import annotations

import re
from collections.abc import Sequence

import asyncpg

from serang_app.api import LocalizedFieldError, agency_problems, definition_problems, module_offer
from serang_app.modules.permits.definition import MAX_CHOICES, DefinitionFile, ServiceField
from serang_app.modules.permits.documents import document_problems

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# What a letter's text may name; `answer.<field>` for each field of the form besides.
LETTER_PLACEHOLDERS = frozenset(
    {"resident.name", "resident.nik", "number", "reference", "issued_date", "valid_until", "agency.name"}
)
NUMBER_TOKENS = frozenset({"seq", "year", "month", "month_roman", "agency", "code"})
# The catalogue's entry for the permit types is `permits.apply`: no definition may take it.
RESERVED_CODES = frozenset({"apply"})
LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})


async def all_problems(connection: asyncpg.Connection, definition: DefinitionFile) -> list[LocalizedFieldError]:
    return (
        shape_problems(definition)
        + await agency_problems(connection, definition.agency, field="agency")
        + await appointment_problems(connection, definition)
    )


async def appointment_problems(connection: asyncpg.Connection, definition: DefinitionFile) -> list[LocalizedFieldError]:
    """The appointments module's service an appointment names must be one residents can book now.
    The core answers (`module_offer`): this module never reads the appointments schema."""
    if definition.appointment is None:
        return []
    code = definition.appointment.service
    state = await module_offer(connection, module="appointments", kind="bookable_service", code=code)
    if state == "open":
        return []
    problem = {
        "module_absent": (
            "Modul janji temu (appointments) tidak terpasang atau belum punya layanan",
            "The appointments module is not installed or offers no service",
        ),
        "unknown": (f"Layanan janji temu {code} tidak dikenal", f"No appointment service {code}"),
        "closed": (f"Layanan janji temu {code} ditutup", f"The appointment service {code} is closed"),
    }[state]
    return [_error("appointment.service", *problem)]


def shape_problems(definition: DefinitionFile) -> list[LocalizedFieldError]:
    problems: list[LocalizedFieldError] = []
    if definition.code in RESERVED_CODES:
        problems.append(_error("code", "Kode ini dicadangkan", "This code is reserved"))
    problems += definition_problems(definition.fields, prefix="fields")
    problems += _choice_count_problems(definition.fields)
    problems += _shown_when_problems(definition.fields)
    problems += document_problems(definition.documents)
    problems += _outcome_problems(definition)
    if definition.letter is not None:
        fields = {field.code for field in definition.fields}
        problems += placeholder_problems(definition.letter.body.id, fields, "letter.body.id")
        if definition.letter.body.en is not None:
            problems += placeholder_problems(definition.letter.body.en, fields, "letter.body.en")
        problems += number_pattern_problems(definition.letter.number_pattern, "letter.number_pattern")
    return problems


def placeholder_problems(text: str, fields: set[str], path: str) -> list[LocalizedFieldError]:
    unknown = sorted(
        {
            name
            for name in PLACEHOLDER.findall(text)
            if name not in LETTER_PLACEHOLDERS
            and not (name.startswith("answer.") and name.removeprefix("answer.") in fields)
        }
    )
    if not unknown:
        return []
    listed = ", ".join(f"{{{name}}}" for name in unknown)
    return [_error(path, f"Isian tidak dikenal: {listed}", f"Unknown placeholders: {listed}", code="placeholder")]


def number_pattern_problems(pattern: str, path: str) -> list[LocalizedFieldError]:
    tokens = PLACEHOLDER.findall(pattern)
    problems = []
    unknown = sorted(set(tokens) - NUMBER_TOKENS)
    if unknown:
        listed = ", ".join(f"{{{name}}}" for name in unknown)
        problems.append(_error(path, f"Token tidak dikenal: {listed}", f"Unknown tokens: {listed}", code="placeholder"))
    if tokens.count("seq") != 1:
        problems.append(_error(path, "Pola nomor memuat {seq} tepat satu kali", "The pattern holds {seq} exactly once"))
    return problems


def _choice_count_problems(fields: Sequence[ServiceField]) -> list[LocalizedFieldError]:
    return [
        _error(
            f"fields[{index}].values",
            f"Paling banyak {MAX_CHOICES} pilihan",
            f"At most {MAX_CHOICES} choices",
            code="too_long",
        )
        for index, field in enumerate(fields)
        if len(field.values) > MAX_CHOICES
    ]


def _shown_when_problems(fields: Sequence[ServiceField]) -> list[LocalizedFieldError]:
    by_code = {field.code: field for field in fields}
    problems = []
    for index, field in enumerate(fields):
        condition = field.shown_when
        if condition is None:
            continue
        path = f"fields[{index}].shown_when"
        other = by_code.get(condition.field)
        if other is None or other.code == field.code or other.datatype not in LIST_TYPES:
            problems.append(
                _error(f"{path}.field", "Harus kolom daftar lain di formulir", "Must be another list field of the form")
            )
            continue
        keys = {choice.key for choice in other.values}
        if missing := sorted(set(condition.values) - keys):
            problems.append(
                _error(
                    f"{path}.values",
                    f"Bukan pilihan {other.code}: {', '.join(missing)}",
                    f"Not choices of {other.code}: {', '.join(missing)}",
                )
            )
        if _in_circle(field.code, by_code):
            problems.append(_error(f"{path}.field", "Syarat tampil berputar", "The conditions go round in a circle"))
    return problems


def _in_circle(code: str, by_code: dict[str, ServiceField]) -> bool:
    """Following `shown_when` from `code` comes back to it."""
    seen: set[str] = set()
    current = by_code[code].shown_when
    while current is not None and current.field in by_code and current.field not in seen:
        if current.field == code:
            return True
        seen.add(current.field)
        current = by_code[current.field].shown_when
    return False


def _outcome_problems(definition: DefinitionFile) -> list[LocalizedFieldError]:
    outcome = definition.workflow.outcome
    problems = []
    if outcome == "letter" and definition.letter is None:
        problems.append(_error("letter", "Wajib untuk hasil berupa surat", "Required when the outcome is a letter"))
    if outcome != "letter" and definition.letter is not None:
        problems.append(_error("letter", "Hanya untuk hasil berupa surat", "Only when the outcome is a letter"))
    if outcome == "appointment" and definition.appointment is None:
        problems.append(
            _error("appointment", "Wajib untuk hasil berupa janji temu", "Required when the outcome is an appointment")
        )
    if outcome != "appointment" and definition.appointment is not None:
        problems.append(
            _error("appointment", "Hanya untuk hasil berupa janji temu", "Only when the outcome is an appointment")
        )
    return problems


def _error(path: str, id_text: str, en_text: str, code: str = "invalid") -> LocalizedFieldError:
    return LocalizedFieldError(path, id_text, en_text, code=code)
