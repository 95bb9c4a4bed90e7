"""The compatibility check: the current document against the released one, breaking changes to
/v1 named one by one, accepted only when declared (api_compat/, docs/api-compatibility.md)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from serang_app.api_compat.breaking import breaking_changes
from serang_app.api_compat.declared import DeclarationError, check

ROOT = Path(__file__).resolve().parent.parent
CURRENT = json.loads((ROOT / "openapi/openapi.json").read_text(encoding="utf-8"))
CLI = [str(Path(sys.executable).parent / "serang-app")]


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def _response_schema_name(document: dict[str, Any], path: str, method: str = "get") -> str:
    ref: str = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def _run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "api-compat", *arguments], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.e2e
def test_the_current_document_keeps_the_released_contract() -> None:
    answer = _run(cwd=ROOT)
    assert answer.returncode == 0, answer.stderr
    assert "no undeclared breaking change" in answer.stdout


def test_an_unchanged_document_has_no_breaking_change() -> None:
    assert breaking_changes(CURRENT, copy.deepcopy(CURRENT)) == []


def test_renamed_schemas_and_operation_ids_are_not_breaking() -> None:
    renamed = copy.deepcopy(CURRENT)
    for operation in renamed["paths"]["/v1/me/cases"].values():
        operation["operationId"] = "casesListMine"
    text = json.dumps(renamed).replace('"#/components/schemas/CaseSummary"', '"#/components/schemas/CasesCaseSummary"')
    renamed = json.loads(text)
    schemas = renamed["components"]["schemas"]
    schemas["CasesCaseSummary"] = schemas.pop("CaseSummary")
    assert breaking_changes(CURRENT, renamed) == []


def test_a_nullable_value_written_another_way_is_not_breaking() -> None:
    rewritten = copy.deepcopy(CURRENT)
    parent = rewritten["paths"]["/v1/regions"]["get"]["parameters"][0]["schema"]
    assert parent.pop("type") == ["string", "null"]
    parent["oneOf"] = [{"type": "string"}, {"type": "null"}]
    assert breaking_changes(CURRENT, rewritten) == []


def test_each_breaking_change_is_named() -> None:
    broken = copy.deepcopy(CURRENT)
    # A removed operation.
    del broken["paths"]["/v1/announcements"]["get"]
    # A removed response field (the regions list's items lose their name).
    region = _schema(broken, _response_schema_name(broken, "/v1/regions"))["properties"]["items"]["items"]
    _schema(broken, region["$ref"].rsplit("/", 1)[1])["properties"].pop("name")
    # A narrowed request type: a complaint's latitude accepts whole numbers only.
    draft = _schema(broken, "ComplaintsComplaintDraft")
    draft["properties"]["latitude"] = {**draft["properties"]["latitude"], "type": "integer"}
    # A new required parameter.
    broken["paths"]["/v1/me/cases"]["get"]["parameters"].append(
        {"in": "query", "name": "agency", "required": True, "schema": {"type": "string"}}
    )
    changes = breaking_changes(CURRENT, broken)
    assert "GET /v1/announcements: operation removed" in changes
    assert "GET /v1/regions: response 200: items[].name: field removed" in changes
    assert "POST /v1/complaints: request body: latitude: no longer accepts number" in changes
    assert "GET /v1/me/cases: new required query parameter agency" in changes
    assert len(changes) == 4, changes


def test_input_rules_tightened_and_output_widened_are_breaking() -> None:
    broken = copy.deepcopy(CURRENT)
    draft = _schema(broken, "ComplaintsComplaintDraft")
    draft["required"] = [*draft["required"], "address"]
    draft["properties"]["description"] = {**draft["properties"]["description"], "maxLength": 5}
    draft["properties"]["category"] = {**draft["properties"]["category"], "enum": ["roads", "lights"]}
    region_list = _schema(broken, _response_schema_name(broken, "/v1/regions"))
    region_list["properties"]["items"] = {"anyOf": [region_list["properties"]["items"], {"type": "null"}]}
    changes = breaking_changes(CURRENT, broken)
    assert "POST /v1/complaints: request body: address: new required field" in changes
    assert "POST /v1/complaints: request body: description: maxLength lowered to 5" in changes
    assert "POST /v1/complaints: request body: category: now limited to 'lights', 'roads'" in changes
    assert "GET /v1/regions: response 200: items: may now be null" in changes
    assert len(changes) == 4, changes


@pytest.mark.e2e
def test_a_breaking_change_fails_the_check_until_it_is_declared(tmp_path: Path) -> None:
    broken = copy.deepcopy(CURRENT)
    del broken["paths"]["/v1/announcements"]["get"]
    current = tmp_path / "openapi.json"
    current.write_text(json.dumps(broken), encoding="utf-8")
    released = tmp_path / "released.json"
    released.write_text(json.dumps(CURRENT), encoding="utf-8")
    declared = tmp_path / "breaking-changes.toml"
    paths = ["--current", str(current), "--released", str(released), "--declared", str(declared)]

    refused = _run(*paths, cwd=ROOT)
    assert refused.returncode == 1
    assert "breaking: GET /v1/announcements: operation removed" in refused.stderr

    declared.write_text(
        '[[accepted]]\nchange = "GET /v1/announcements: operation removed"\n'
        'reason = "Announcements move into the inbox"\nrelease = "2027.01"\n',
        encoding="utf-8",
    )
    accepted = _run(*paths, cwd=ROOT)
    assert accepted.returncode == 0, accepted.stderr
    assert "declared: GET /v1/announcements: operation removed" in accepted.stdout
    assert check(released, current, declared).undeclared == []


def test_a_declaration_needs_its_reason_and_release(tmp_path: Path) -> None:
    declared = tmp_path / "breaking-changes.toml"
    declared.write_text('[[accepted]]\nchange = "GET /v1/x: operation removed"\n', encoding="utf-8")
    released = tmp_path / "released.json"
    released.write_text(json.dumps(CURRENT), encoding="utf-8")
    with pytest.raises(DeclarationError, match="reason, release"):
        check(released, released, declared)


@pytest.mark.e2e
def test_cutting_a_release_makes_the_current_document_the_released_one(tmp_path: Path) -> None:
    released = tmp_path / "released" / "v1.json"
    declared = tmp_path / "breaking-changes.toml"
    declared.write_text('[[accepted]]\nchange = "x"\nreason = "y"\nrelease = "z"\n', encoding="utf-8")
    current = ROOT / "openapi/openapi.json"
    answer = _run(
        "--release", "--current", str(current), "--released", str(released), "--declared", str(declared), cwd=ROOT
    )
    assert answer.returncode == 0, answer.stderr
    assert released.read_bytes() == current.read_bytes()
    assert check(released, current, declared).declared == []
