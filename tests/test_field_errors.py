"""A body's schema errors answer 422 all at once, each with its field's path and kind, in the
caller's language (http/field_errors.py, http/field_messages.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Literal

import msgspec
import pytest
from litestar import Litestar, Router, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.testing import AsyncTestClient

from serang_app.http.field_messages import FIELD_MESSAGES
from serang_app.module_system import ModuleSpec
from tests.conftest import app_for


class ProbePlace(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    district_code: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]


class ProbeReport(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    description: Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
    kind: Literal["pothole", "flood"]
    count: Annotated[int, msgspec.Meta(ge=1)] = 1
    attributes: dict[str, str | int | list[str]] = {}
    photo_upload_ids: Annotated[list[Annotated[int, msgspec.Meta(ge=1)]], msgspec.Meta(max_length=3)] = []
    place: ProbePlace | None = None
    seen_at: datetime | None = None


@post("/reports", opt={"public": True}, status_code=201)
async def file_report(data: JSONBody[ProbeReport]) -> ProbeReport:
    return data


@get("/search", opt={"public": True})
async def search(limit: Annotated[int, QueryParameter(ge=1, le=50)]) -> dict[str, int]:
    return {"limit": limit}


PROBE = ModuleSpec(
    slug="probe", name="Probe", version="1", router=Router(path="/", route_handlers=[file_report, search])
)

VALID = {"description": "Jalan berlubang besar", "kind": "pothole"}


@pytest.fixture
async def probe(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app_for(database_url, modules=[PROBE])) as client:
        yield client


async def _errors(probe: AsyncTestClient[Litestar], body: object, language: str | None = None) -> list[dict[str, str]]:
    headers = {"Accept-Language": language} if language else {}
    answer = await probe.post("/v1/probe/reports", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_input"
    assert answer.headers["content-language"] == (language or "id")
    errors: list[dict[str, str]] = answer.json()["errors"]
    return errors


async def test_three_wrong_fields_are_named_at_once_in_indonesian_then_english(
    probe: AsyncTestClient[Litestar],
) -> None:
    body = {"description": "pendek", "kind": "pothole", "count": 0, "photo_upload_ids": [4, 5, "x"]}
    assert await _errors(probe, body) == [
        {"field": "description", "code": "min_length", "message": "Paling sedikit 10 karakter"},
        {"field": "count", "code": "minimum", "message": "Paling kecil 1"},
        {"field": "photo_upload_ids[2]", "code": "type", "message": "Harus berupa bilangan bulat"},
    ]
    assert await _errors(probe, body, "en") == [
        {"field": "description", "code": "min_length", "message": "At least 10 characters"},
        {"field": "count", "code": "minimum", "message": "At least 1"},
        {"field": "photo_upload_ids[2]", "code": "type", "message": "Must be a whole number"},
    ]


async def test_unknown_and_missing_fields_are_named_each(probe: AsyncTestClient[Litestar]) -> None:
    errors = await _errors(probe, {"role": "admin", "extra": 1}, "en")
    assert sorted((error["field"], error["code"]) for error in errors) == [
        ("description", "required"),
        ("extra", "unknown_field"),
        ("kind", "required"),
        ("role", "unknown_field"),
    ]
    assert {"field": "role", "code": "unknown_field", "message": "Unknown field `role`"} in errors
    indonesian = await _errors(probe, {**VALID, "role": "admin"})
    assert indonesian == [{"field": "role", "code": "unknown_field", "message": "Isian `role` tidak dikenal"}]


async def test_nested_paths_inside_objects_dictionaries_and_nullable_members(probe: AsyncTestClient[Litestar]) -> None:
    body = {
        **VALID,
        "kind": "landslide",
        "attributes": {"road_kind": {"a": 1}, "jenis jalan": ["a", 2]},
        "place": {"district_code": "36-04", "lat": 91, "village": "x"},
    }
    errors = {error["field"]: error for error in await _errors(probe, body, "en")}
    assert {field: error["code"] for field, error in errors.items()} == {
        "kind": "enum",
        "attributes.road_kind": "type",
        'attributes["jenis jalan"][1]': "type",
        "place.district_code": "pattern",
        "place.lat": "maximum",
        "place.village": "unknown_field",
    }
    assert errors["attributes.road_kind"]["message"] == "Must be text or a whole number or a list"
    assert errors["place.lat"]["message"] == "At most 90"
    # msgspec's schema states no format for a datetime: the field is checked alone, beside the others.
    seen_at = await _errors(probe, {**VALID, "count": 0, "seen_at": "yesterday"}, "en")
    assert seen_at == [
        {"field": "count", "code": "minimum", "message": "At least 1"},
        {"field": "seen_at", "code": "format", "message": "Must be in date-time format"},
    ]


async def test_a_body_of_the_wrong_type_and_too_many_items(probe: AsyncTestClient[Litestar]) -> None:
    assert await _errors(probe, ["not", "an", "object"]) == [
        {"field": "body", "code": "type", "message": "Harus berupa objek"}
    ]
    not_a_place = await _errors(probe, {**VALID, "place": "Serang"}, "en")
    assert not_a_place == [{"field": "place", "code": "type", "message": "Must be an object or null"}]
    too_many = await _errors(probe, {**VALID, "photo_upload_ids": [1, 2, 3, 4]})
    assert too_many == [{"field": "photo_upload_ids", "code": "max_items", "message": "Paling banyak 3 butir"}]


async def test_query_parameters_are_named_in_the_callers_language(probe: AsyncTestClient[Litestar]) -> None:
    refused = await probe.get("/v1/probe/search", params={"limit": "500"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "limit", "code": "maximum", "message": "Paling besar 50"}]
    missing = await probe.get("/v1/probe/search", headers={"Accept-Language": "en"})
    assert missing.json()["errors"] == [{"field": "limit", "code": "required", "message": "Required"}]


def test_every_kind_reads_in_both_languages() -> None:
    for code, (indonesian, english) in FIELD_MESSAGES.items():
        assert indonesian, code
        assert english, code
        assert indonesian != english, code
