"""The seeded service definitions (src/serang_app/modules/services/seeds/*.json, issue 23) follow the
definition file format, checked with plain Python and json: the services machinery's own import
validator replaces these checks when it lands (docs/services-seeded.md lists the services and their
sources)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from serang_app.http.text import MULTILINE_TEXT, PLAIN_TEXT

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "src/serang_app/modules/services/seeds"
FORMAT = "serang-service-definition/1"
KEYS = {
    "format",
    "code",
    "title",
    "description",
    "agency",
    "eligibility",
    "requirements",
    "fields",
    "documents",
    "workflow",
    "appointment",
    "sla_days",
    "letter",
    "sort_order",
}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
PART_CODE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # a field's, a choice's, a document's code
LIST_TYPES = {"singlevaluelist", "multivaluelist"}
DATATYPES = LIST_TYPES | {"string", "number", "datetime", "text"}
ELIGIBILITY = {"any_resident", "regency_resident", "nik_on_file"}
PLACEHOLDERS = {"resident.name", "resident.nik", "number", "reference", "issued_date", "valid_until", "agency.name"}
NUMBER_TOKENS = {"seq", "year", "month", "month_roman", "agency", "code"}
BRACED = re.compile(r"\{([^{}]*)\}")
# tests/test_no_region_in_code.py: nothing under src/ names the region; a definition names the
# agency and the regency through its placeholders, so another regency can import it as it is.
REGION = re.compile(r"Serang|\bSERANG\b(?!_)|36\.04")


def _seeded_agencies() -> set[str]:
    return set(re.findall(r"^\s*\('([A-Z][A-Z0-9_]*)',", (ROOT / "migrations/0003_opds.sql").read_text(), re.M))


def _appointment_services() -> set[str]:
    sql = (ROOT / "src/serang_app/modules/appointments/migrations/0001_appointments.sql").read_text()
    return set(re.findall(r"^\('([a-z][a-z0-9_]*)', '\{\"id\"", sql, re.M))


def _integer(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text_problems(value: Any, where: str, longest: int, *, one_line: bool) -> list[str]:
    if not isinstance(value, dict) or set(value) != {"id", "en"}:
        return [f"{where}: an object with exactly id and en"]
    rule = PLAIN_TEXT if one_line else MULTILINE_TEXT
    problems = []
    for language in ("id", "en"):
        text = value[language]
        if not isinstance(text, str) or not 1 <= len(text) <= longest or not re.match(rule, text):
            problems.append(f"{where}.{language}: 1 to {longest} characters{', one line' if one_line else ''}")
    return problems


def _field_problems(fields: Any) -> tuple[list[str], dict[str, dict[str, Any]]]:
    if not isinstance(fields, list) or len(fields) > 60:
        return ["fields: a list of at most 60"], {}
    problems: list[str] = []
    known: dict[str, dict[str, Any]] = {}
    base = {"code", "datatype", "description", "required", "values"}
    for index, field in enumerate(fields):
        where = f"fields[{index}]"
        if not isinstance(field, dict) or set(field) not in (base, base | {"shown_when"}):
            problems.append(f"{where}: the keys {sorted(base)} and optionally shown_when")
            continue
        code = field["code"]
        if not isinstance(code, str) or not PART_CODE.match(code) or code in known:
            problems.append(f"{where}.code: a new code matching {PART_CODE.pattern}")
        if field["datatype"] not in DATATYPES:
            problems.append(f"{where}.datatype: one of {sorted(DATATYPES)}")
        problems += _text_problems(field["description"], f"{where}.description", 120, one_line=True)
        if not isinstance(field["required"], bool):
            problems.append(f"{where}.required: true or false")
        values = field["values"] if isinstance(field["values"], list) else None
        if values is None or (field["datatype"] in LIST_TYPES) != (1 <= len(values) <= 20):
            problems.append(f"{where}.values: 1 to 20 choices for a list, none otherwise")
            values = []
        keys: list[Any] = []
        for position, choice in enumerate(values):
            if not isinstance(choice, dict) or set(choice) != {"key", "name"}:
                problems.append(f"{where}.values[{position}]: exactly key and name")
                continue
            keys.append(choice["key"])
            if not isinstance(choice["key"], str) or not PART_CODE.match(choice["key"]):
                problems.append(f"{where}.values[{position}].key: matching {PART_CODE.pattern}")
            problems += _text_problems(choice["name"], f"{where}.values[{position}].name", 120, one_line=True)
        if len(set(keys)) != len(keys):
            problems.append(f"{where}.values: a key used twice")
        if "shown_when" in field:
            problems += _shown_when_problems(field["shown_when"], known, where)
        if isinstance(code, str):
            known[code] = field
    return problems, known


def _shown_when_problems(shown_when: Any, earlier: dict[str, dict[str, Any]], where: str) -> list[str]:
    """The condition names a list field asked before this one, and keys of its choices."""
    if not isinstance(shown_when, dict) or set(shown_when) != {"field", "values"}:
        return [f"{where}.shown_when: exactly field and values"]
    target = earlier.get(shown_when["field"]) if isinstance(shown_when["field"], str) else None
    if target is None or target["datatype"] not in LIST_TYPES:
        return [f"{where}.shown_when.field: a list field before this one"]
    keys = {choice["key"] for choice in target["values"] if isinstance(choice, dict)}
    values = shown_when["values"]
    if not isinstance(values, list) or not values or len(set(values)) != len(values) or not set(values) <= keys:
        return [f"{where}.shown_when.values: keys of {shown_when['field']}'s choices"]
    return []


def _document_problems(documents: Any) -> list[str]:
    if not isinstance(documents, list) or len(documents) > 20:
        return ["documents: a list of at most 20"]
    problems: list[str] = []
    codes: list[Any] = []
    for index, document in enumerate(documents):
        where = f"documents[{index}]"
        if not isinstance(document, dict) or set(document) != {"code", "title", "kinds", "required"}:
            problems.append(f"{where}: exactly code, title, kinds and required")
            continue
        codes.append(document["code"])
        if not isinstance(document["code"], str) or not PART_CODE.match(document["code"]):
            problems.append(f"{where}.code: matching {PART_CODE.pattern}")
        problems += _text_problems(document["title"], f"{where}.title", 120, one_line=True)
        kinds = document["kinds"]
        if (
            not isinstance(kinds, list)
            or not kinds
            or len(set(kinds)) != len(kinds)
            or not set(kinds) <= {"pdf", "image"}
        ):
            problems.append(f"{where}.kinds: pdf and/or image, each once")
        if not isinstance(document["required"], bool):
            problems.append(f"{where}.required: true or false")
    if len(set(codes)) != len(codes):
        problems.append("documents: a code used twice")
    return problems


def _letter_problems(letter: Any, fields: dict[str, dict[str, Any]]) -> list[str]:
    if not isinstance(letter, dict) or set(letter) != {"title", "body", "signatory", "number_pattern", "validity_days"}:
        return ["letter: exactly title, body, signatory, number_pattern and validity_days"]
    problems = _text_problems(letter["title"], "letter.title", 120, one_line=True)
    problems += _text_problems(letter["body"], "letter.body", 10_000, one_line=False)
    validity = letter["validity_days"]
    if validity is not None and not _integer(validity, 1, 3650):
        problems.append("letter.validity_days: null or 1 to 3650")
    if isinstance(letter["body"], dict):
        for language, body in letter["body"].items():
            names = BRACED.findall(body) if isinstance(body, str) else []
            for name in names:
                answer = name.removeprefix("answer.")
                if name not in PLACEHOLDERS and not (name.startswith("answer.") and answer in fields):
                    problems.append(f"letter.body.{language}: {{{name}}} is no placeholder nor a field's answer")
                if name == "valid_until" and validity is None:
                    problems.append(f"letter.body.{language}: {{valid_until}} in a letter without validity")
            if isinstance(body, str) and body.count("{") + body.count("}") != 2 * len(names):
                problems.append(f"letter.body.{language}: a brace outside a placeholder")
    signatory = letter["signatory"]
    if not isinstance(signatory, dict) or set(signatory) != {"name", "title", "nip"}:
        problems.append("letter.signatory: exactly name, title and nip")
    else:
        for key in ("name", "title"):
            if not isinstance(signatory[key], str) or not re.match(PLAIN_TEXT, signatory[key]):
                problems.append(f"letter.signatory.{key}: one line")
        if not isinstance(signatory["nip"], str) or not re.fullmatch(r"\d{18}", signatory["nip"]):
            problems.append("letter.signatory.nip: 18 digits")
    pattern = letter["number_pattern"]
    tokens = BRACED.findall(pattern) if isinstance(pattern, str) else []
    if (
        not isinstance(pattern, str)
        or not re.match(PLAIN_TEXT, pattern)
        or "seq" not in tokens
        or not set(tokens) <= NUMBER_TOKENS
        or pattern.count("{") + pattern.count("}") != 2 * len(tokens)
    ):
        problems.append(f"letter.number_pattern: one line with {{seq}}, tokens among {sorted(NUMBER_TOKENS)}")
    return problems


def definition_problems(definition: Any, file_stem: str) -> list[str]:
    """Every problem of one definition file's content, each naming where it is."""
    if not isinstance(definition, dict) or set(definition) != KEYS:
        return [f"keys: exactly {sorted(KEYS)}"]
    problems = []
    if definition["format"] != FORMAT:
        problems.append(f"format: {FORMAT}")
    if not isinstance(definition["code"], str) or not CODE.match(definition["code"]):
        problems.append(f"code: matching {CODE.pattern}")
    if definition["code"] != file_stem:
        problems.append("code: the file is named {code}.json")
    problems += _text_problems(definition["title"], "title", 120, one_line=True)
    problems += _text_problems(definition["description"], "description", 1000, one_line=False)
    if definition["agency"] not in _seeded_agencies():
        problems.append("agency: a seeded agency's code (migrations/0003_opds.sql)")
    if definition["eligibility"] not in ELIGIBILITY:
        problems.append(f"eligibility: one of {sorted(ELIGIBILITY)}")
    problems += _text_problems(definition["requirements"], "requirements", 4000, one_line=False)
    field_problems, fields = _field_problems(definition["fields"])
    problems += field_problems + _document_problems(definition["documents"])
    if not _integer(definition["sla_days"], 1, 90):
        problems.append("sla_days: 1 to 90")
    if not _integer(definition["sort_order"], 0, 10_000):
        problems.append("sort_order: 0 to 10000")
    workflow = definition["workflow"]
    if (
        not isinstance(workflow, dict)
        or set(workflow) != {"approval", "revisions", "outcome"}
        or workflow["approval"] not in {"officer", "supervisor"}
        or not isinstance(workflow["revisions"], bool)
        or workflow["outcome"] not in {"decision", "letter", "appointment"}
    ):
        return [
            *problems,
            "workflow: approval officer|supervisor, revisions true|false, outcome decision|letter|appointment",
        ]
    appointment = definition["appointment"]
    if workflow["outcome"] == "appointment":
        if not isinstance(appointment, dict) or set(appointment) != {"service"}:
            problems.append("appointment: {service} when the outcome is an appointment")
        elif appointment["service"] not in _appointment_services():
            problems.append("appointment.service: a service of the appointments module")
    elif appointment is not None:
        problems.append("appointment: null unless the outcome is an appointment")
    if workflow["outcome"] == "letter":
        problems += _letter_problems(definition["letter"], fields)
    elif definition["letter"] is not None:
        problems.append("letter: null unless the outcome is a letter")
    return problems


SEED_FILES = sorted(SEEDS.glob("*.json"))


@pytest.mark.parametrize("path", SEED_FILES, ids=[path.stem for path in SEED_FILES])
def test_a_seed_file_is_a_valid_definition(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not REGION.search(text), "a definition names no region: {agency.name} and the letterhead do"
    assert definition_problems(json.loads(text), path.stem) == []


def test_the_seeds_cover_ten_services_of_eight_agencies_and_every_workflow() -> None:
    definitions = [json.loads(path.read_text(encoding="utf-8")) for path in SEED_FILES]
    codes = [definition["code"] for definition in definitions]
    assert len(codes) >= 10
    assert len(set(codes)) == len(codes)
    assert len({definition["agency"] for definition in definitions}) >= 8
    workflows = [definition["workflow"] for definition in definitions]
    assert {workflow["outcome"] for workflow in workflows} == {"decision", "letter", "appointment"}
    assert sum(workflow["approval"] == "supervisor" for workflow in workflows) >= 2
    assert sum(workflow["revisions"] for workflow in workflows) >= 2
    assert sum(any("shown_when" in field for field in definition["fields"]) for definition in definitions) >= 2


def test_the_check_names_every_mistake() -> None:
    definition = json.loads((SEEDS / "dlh_sppl_registration.json").read_text(encoding="utf-8"))
    definition["agency"] = "NO_SUCH_AGENCY"
    definition["fields"][2]["shown_when"] = {"field": "site_address", "values": ["other"]}
    definition["documents"][0]["kinds"] = ["docx"]
    definition["letter"]["body"]["en"] += " {answer.missing} {valid_until}"
    definition["letter"]["number_pattern"] = "660/DLH/{year}"
    assert definition_problems(definition, "dlh_sppl_registration") == [
        "agency: a seeded agency's code (migrations/0003_opds.sql)",
        "fields[2].shown_when.field: a list field before this one",
        "documents[0].kinds: pdf and/or image, each once",
        "letter.body.en: {answer.missing} is no placeholder nor a field's answer",
        "letter.body.en: {valid_until} in a letter without validity",
        "letter.number_pattern: one line with {seq}, tokens among ['agency', 'code', 'month', 'month_roman', 'seq', 'year']",
    ]
