"""Open311 and the text rules: a filed request's texts follow them (and are normalized) as a JSON
body's do, and the XML documents stay well-formed whatever the database holds: text stored before
the rules (or by other means) with characters XML 1.0 cannot hold is written replaced."""

from __future__ import annotations

import unicodedata
import uuid
from xml.etree import ElementTree

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from tests.support.accounts import bearer, resident_tokens, signed_in_staff

# Every C0 control XML 1.0 refuses (but NUL, which PostgreSQL cannot store), DEL and a C1 control,
# the two non-characters.
UNWRITABLE = "".join(chr(code) for code in range(1, 0x20) if chr(code) not in "\t\n\r") + "\x7f\x85\ufffe\uffff"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module()]


async def test_requests_xml_parses_whatever_the_rows_hold(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = bearer(await resident_tokens(client, f"+62816{uuid.uuid4().int % 10**8:08d}"))
    complaint = {
        "category": "street_lights",
        "description": "Lampu jalan di depan masjid mati sejak seminggu.",
        "latitude": -6.05,
        "longitude": 106.1,
        "district_code": "36.04.05",
        "public": True,
    }
    filed = await client.post("/v1/complaints", json=complaint, headers=citizen)
    assert filed.status_code == 201, filed.text
    # What an outside fuzzer got stored before the rules, written straight into the database.
    stored = f"Lampu{UNWRITABLE} mati.\nSudah seminggu."
    await db.execute("UPDATE complaints.reports SET description = $1", stored)
    await db.execute(
        "UPDATE complaints.categories SET title = jsonb_set(title, '{id}', to_jsonb($1::text)) WHERE code = $2",
        "Lampu\x0c jalan",
        "street_lights",
    )
    for path in ("requests.xml", f"requests/{filed.json()['reference']}.xml"):
        answer = await client.get(f"/open311/v2/{path}")
        assert answer.status_code == 200, answer.text
        [request] = ElementTree.fromstring(answer.content)  # expat: refuses any document not well-formed
        assert request.findtext("description") == "Lampu" + "\ufffd" * len(UNWRITABLE) + " mati.\nSudah seminggu."
        assert request.findtext("service_name") == "Lampu\ufffd jalan"
    # JSON can hold every character: it shows what is stored.
    as_json = await client.get("/open311/v2/requests.json")
    assert as_json.json()[0]["description"] == stored


async def test_a_filed_request_follows_the_text_rules(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    admin = await signed_in_staff(client, database_url, "admin", None)
    api_key = (await client.post("/v1/complaints/open311-clients", json={"name": "Call centre"}, headers=admin)).json()[
        "api_key"
    ]
    form = {
        "api_key": api_key,
        "service_code": "street_lights",
        "lat": "-6.05",
        "long": "106.1",
        "attribute[district_code]": "36.04.05",
    }
    refused = await client.post(
        "/open311/v2/requests.xml", data={**form, "description": "Lampu jalan mati\x0b sejak kemarin."}, headers=FORM
    )
    assert refused.status_code == 400, refused.text
    assert ElementTree.fromstring(refused.content)[0].findtext("description", "").startswith("Invalid")
    typed = unicodedata.normalize("NFD", "Lampu jalan mati di depan Masjid Al-Ikhlāṣ.")
    filed = await client.post("/open311/v2/requests.xml", data={**form, "description": typed}, headers=FORM)
    assert filed.status_code == 201, filed.text
    stored = await db.fetchval("SELECT description FROM complaints.reports")
    assert stored == unicodedata.normalize("NFC", typed) != typed
