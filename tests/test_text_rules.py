"""The text rules at input (http/text.py, docs/architecture.md "Text"): characters XML 1.0 cannot
hold, control characters and bidirectional overrides are refused with a 422 naming the field, in
every free-text field of every request body and query string; names are normalized to NFC."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from serang_app.app import create_app
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from serang_app.settings import load_settings
from tests.support.accounts import resident, signed_in_staff
from tests.support.database import PROJECT_ROOT
from tests.support.names import MARUF, NURAINI, OTHER_NAMES

COMPLAINT = {
    "category": "street_lights",
    "description": "Lampu jalan di depan masjid mati sejak seminggu.",
    "latitude": -6.05,
    "longitude": 106.1,
    "district_code": "36.04.05",
}
# What an outside fuzzer sent (got 201), what XML 1.0 cannot hold at all, and an override.
REFUSED_IN_TEXT = ["\x0b", "\x0c", "\x17", "\x00", "\x7f", "\x85", "\ufffe", "\uffff", "\u202e", "\u2066"]
# Fields that hold no free text: secrets are hashed or verified, never shown or written anywhere;
# form answers are typed by the form and checked by forms/checking.py (`answer_text_problems`).
NOT_FREE_TEXT = {"password", "id_token", "refresh_token", "answers", "attributes"}


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module(), permits_module()]


def fields_of(answer: Any) -> list[str]:
    return [error["field"] for error in answer.json()["errors"]]


async def test_a_description_with_a_control_character_is_refused_naming_it(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    for character in REFUSED_IN_TEXT:
        description = f"Lampu jalan mati{character} sejak seminggu."
        answer = await client.post("/v1/complaints", json={**COMPLAINT, "description": description}, headers=citizen)
        assert answer.status_code == 422, (repr(character), answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert fields_of(answer) == ["description"], repr(character)
    assert await db.fetchval("SELECT count(*) FROM cases") == 0
    english = await client.post(
        "/v1/complaints",
        json={**COMPLAINT, "description": "Lampu jalan mati\x0b sejak seminggu."},
        headers={**citizen, "Accept-Language": "en"},
    )
    assert english.status_code == 422
    assert english.headers["content-language"] == "en"
    # A lone surrogate cannot even be decoded: the body is not JSON text.
    lone = b'{"description": "Lampu jalan mati \\ud800 sejak seminggu."}'
    refused = await client.post("/v1/complaints", content=lone, headers={**citizen, "Content-Type": "application/json"})
    assert refused.status_code == 400, refused.text
    # Lines and tabs are what a description is made of.
    lines = "Lampu jalan mati.\n\nSudah seminggu,\tdi depan masjid.\r\nMohon diperbaiki."
    filed = await client.post("/v1/complaints", json={**COMPLAINT, "description": lines}, headers=citizen)
    assert filed.status_code == 201, filed.text
    assert await db.fetchval("SELECT description FROM complaints.reports") == lines


@pytest.mark.parametrize(
    "name",
    [
        "Siti\nAminah",
        "Siti\tAminah",
        "Siti\u202eAminah",  # right-to-left override
        "Siti\u202aAminah",  # embedding
        "Siti\u2067Aminah",  # isolate
        "\u200fSiti Aminah",  # right-to-left mark
        "Siti\u2028Aminah",  # line separator
        "Siti\x00Aminah",
        "Siti\x1bAminah",
        "   ",
    ],
)
async def test_a_name_with_a_control_or_direction_character_is_refused(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, name: str
) -> None:
    citizen = await resident(client)
    answer = await client.patch("/v1/me", json={"name": name}, headers=citizen)
    assert answer.status_code == 422, answer.text
    assert fields_of(answer) == ["name"]
    assert await db.fetchval("SELECT count(*) FROM residents WHERE name IS NOT NULL") == 0


async def test_an_indonesian_name_is_accepted_and_stored_in_nfc(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    # As some keyboards send it: letters followed by combining marks (NFD).
    typed = unicodedata.normalize("NFD", NURAINI)
    assert typed != NURAINI
    answer = await client.patch("/v1/me", json={"name": typed}, headers=citizen)
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == NURAINI
    stored = await db.fetchval("SELECT name FROM residents WHERE name IS NOT NULL")
    assert stored == NURAINI
    assert unicodedata.is_normalized("NFC", stored)
    for name in (MARUF, "Ni Luh Ayu Kadek", *OTHER_NAMES):
        accepted = await client.patch("/v1/me", json={"name": name}, headers=citizen)
        assert (accepted.status_code, accepted.json()["name"]) == (200, name)


async def test_texts_of_other_bodies_and_query_strings_follow_the_rules(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    # A permit draft's text answers are refused as they arrive, though kept unchecked otherwise.
    created = await client.post("/v1/permits/applications", json={"type_code": "business_certificate"}, headers=citizen)
    application = f"/v1/permits/applications/{created.json()['id']}"
    answer = await client.patch(application, json={"answers": {"business_name": "Warung\x0bSiti"}}, headers=citizen)
    assert answer.status_code == 422, answer.text
    assert fields_of(answer) == ["answers.business_name"]
    kept = await client.patch(application, json={"answers": {"business_name": "Warung Siti"}}, headers=citizen)
    assert kept.status_code == 200, kept.text
    # A complaint's answers (a `string` question is one line) and its address.
    for pole, problem in (("PJU\x0b88", "Holds a character that is not allowed"), ("PJU\n88", "One line only")):
        kind = "pattern" if "\x0b" in pole else "invalid"
        answer = await client.post(
            "/v1/complaints",
            json={**COMPLAINT, "attributes": {"pole_number": pole}},
            headers={**citizen, "Accept-Language": "en"},
        )
        assert answer.json()["errors"] == [{"field": "attributes.pole_number", "code": kind, "message": problem}]
    address = await client.post("/v1/complaints", json={**COMPLAINT, "address": "Jl. Raya\nSerang"}, headers=citizen)
    assert fields_of(address) == ["address"]
    # Staff comments, admins' texts, filters in query strings.
    admin = await signed_in_staff(client, database_url, "admin", None)
    category = {
        "code": "bridges",
        "title": {"id": "Jembatan", "en": "Bridges"},
        "description": {"id": "Jembatan rusak", "en": "Broken bridges"},
        "opd_code": "DPUPR",
        "sla_days": 5,
    }
    for changes, field in (
        ({"title": {"id": "Jembatan\x0c", "en": "Bridges"}}, "title.id"),
        ({"description": {"id": "Jembatan rusak", "en": "Broken\u202e bridges"}}, "description.en"),
    ):
        refused = await client.post("/v1/complaints/categories", json={**category, **changes}, headers=admin)
        assert fields_of(refused) == [field]
    key = await client.post("/v1/complaints/open311-clients", json={"name": "Call\ncentre"}, headers=admin)
    assert fields_of(key) == ["name"]
    staff_name = await client.post(
        "/v1/admin/staff",
        json={
            "email": "rina@serangkab.go.id",
            "name": "Rina\u202eWulandari",
            "role": "officer",
            "opd_code": "DPUPR",
            "password": "kata-sandi-yang-panjang",
        },
        headers=admin,
    )
    assert fields_of(staff_name) == ["name"]
    stats = await client.get("/v1/admin/stats", params={"service": "complaints\x00x"}, headers=admin)
    assert stats.status_code == 422, stats.text
    assert fields_of(stats) == ["service"]
    assert await db.fetchval("SELECT count(*) FROM complaints.categories WHERE code = 'bridges'") == 0


def _request_bodies() -> Iterator[tuple[str, Any]]:
    app = create_app(load_settings({}))
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                data = handler.parsed_fn_signature.parameters.get("data")
                if data is not None:
                    yield f"{sorted(handler.http_methods)} {route.path}", data.annotation


def _texts_without_a_rule(info: msgspec.inspect.Type, path: str) -> Iterator[str]:
    """Every str of a body's type that no pattern restricts, by its path in the body."""
    match info:
        case msgspec.inspect.StrType(pattern=None):
            yield path
        case msgspec.inspect.StructType():
            for field in info.fields:
                if field.encode_name not in NOT_FREE_TEXT:
                    yield from _texts_without_a_rule(field.type, f"{path}.{field.encode_name}")
        case msgspec.inspect.UnionType():
            for member in info.types:
                yield from _texts_without_a_rule(member, path)
        case msgspec.inspect.ListType() | msgspec.inspect.SetType() | msgspec.inspect.FrozenSetType():
            yield from _texts_without_a_rule(info.item_type, f"{path}[]")
        case msgspec.inspect.DictType():
            yield from _texts_without_a_rule(info.key_type, f"{path}{{key}}")
            yield from _texts_without_a_rule(info.value_type, f"{path}{{}}")


def test_every_text_of_every_request_body_has_a_rule() -> None:
    """A new field without a pattern fails here: name http/text.py's rule that fits it."""
    missing = [
        found
        for route, body in _request_bodies()
        for found in _texts_without_a_rule(msgspec.inspect.type_info(body), route)
    ]
    assert missing == []


def _unruled_query_texts(schema: dict[str, Any]) -> bool:
    if any(rule in schema for rule in ("pattern", "enum", "const", "format")):
        return False
    members = schema.get("oneOf", []) + schema.get("anyOf", [])
    return schema.get("type") == "string" or any(_unruled_query_texts(member) for member in members)


def test_every_text_of_every_query_string_has_a_rule() -> None:
    document = json.loads((PROJECT_ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    missing = [
        f"{method} {path} {parameter['name']}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        # Shared headers are $refs to components, without "in" here; none of them is a query.
        if parameter.get("in") == "query" and _unruled_query_texts(parameter["schema"])
    ]
    assert missing == []
