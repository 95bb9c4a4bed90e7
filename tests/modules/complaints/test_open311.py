"""Open311 GeoReport v2 at /open311/v2: every document in JSON and XML has exactly the fields
the specification lists, a request filed with an API key reaches the agency's inbox, and private
complaints never appear."""

from __future__ import annotations

import uuid
from typing import Any
from xml.etree import ElementTree

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from tests.support.accounts import bearer, resident_tokens, signed_in_staff

# The field lists of GeoReport v2 (http://wiki.open311.org/GeoReport_v2).
DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION = {"service_code", "attributes"}
ATTRIBUTE = {"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"}
VALUE = {"key", "name"}
REQUEST = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
CREATED = {"service_request_id", "service_notice", "account_id"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module()]


async def both(client: Any, path: str, **kwargs: Any) -> tuple[Any, ElementTree.Element]:
    """The JSON and the parsed XML of one document."""
    as_json = await client.get(f"/open311/v2/{path}.json", **kwargs)
    as_xml = await client.get(f"/open311/v2/{path}.xml", **kwargs)
    assert as_json.status_code == as_xml.status_code == 200, (as_json.text, as_xml.text)
    assert as_json.headers["content-type"].startswith("application/json")
    # One charset parameter: a parameter given twice is an error to strict parsers (RFC 6838).
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    return as_json.json(), ElementTree.fromstring(as_xml.content)


def tags(element: ElementTree.Element) -> set[str]:
    return {child.tag for child in element}


async def issued_key(client: Any, database_url: str) -> tuple[str, dict[str, str], str]:
    admin = await signed_in_staff(client, database_url, "admin", None)
    issued = await client.post("/v1/complaints/open311-clients", json={"name": "Call centre 112"}, headers=admin)
    assert issued.status_code == 201, issued.text
    return issued.json()["api_key"], admin, issued.json()["id"]


def form(api_key: str, **changes: str) -> dict[str, str]:
    fields = {
        "api_key": api_key,
        "service_code": "street_lights",
        "lat": "-6.05",
        "long": "106.1",
        "description": "Lampu jalan mati di depan pasar.",
        "attribute[district_code]": "36.04.05",
        "attribute[pole_number]": "PJU-88",
        "email": "warga@example.com",
        "phone": "+6281234567890",
    }
    fields.update(changes)
    return fields


async def test_every_document_has_the_specification_fields_in_both_formats(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    found, xml = await both(client, "discovery")
    assert set(found) == DISCOVERY == tags(xml)
    assert xml.tag == "discovery"
    assert [set(endpoint) for endpoint in found["endpoints"]] == [ENDPOINT]
    assert [tags(endpoint) for endpoint in xml.iter("endpoint")] == [ENDPOINT]

    found, xml = await both(client, "services")
    assert xml.tag == "services"
    assert len(found) == len(xml) == 10
    assert all(set(service) == SERVICE for service in found)
    assert all(child.tag == "service" and tags(child) == SERVICE for child in xml)
    assert found[1]["service_code"] == "street_lights"
    assert xml[1].findtext("metadata") == "true"

    found, xml = await both(client, "services/roads_bridges")
    assert set(found) == DEFINITION == tags(xml)
    assert xml.tag == "service_definition"
    assert all(set(attribute) == ATTRIBUTE for attribute in found["attributes"])
    assert all(tags(attribute) == ATTRIBUTE for attribute in xml.iter("attribute"))
    assert all(set(value) == VALUE for attribute in found["attributes"] for value in attribute["values"])
    district = found["attributes"][0]
    # Optional: the regency has village boundaries, which place lat/long in a district.
    assert (district["code"], district["required"], len(district["values"])) == ("district_code", False, 29)
    assert [attribute["code"] for attribute in found["attributes"]][1:] == ["road_kind", "width_m"]

    # A filed request, read back by id and in the list.
    api_key, _, _ = await issued_key(client, database_url)
    created = await client.post("/open311/v2/requests.xml", data=form(api_key), headers=FORM)
    assert created.status_code == 201, created.text
    created_xml = ElementTree.fromstring(created.content)
    assert created_xml.tag == "service_requests"
    assert tags(created_xml[0]) == CREATED
    reference = created_xml[0].findtext("service_request_id")
    assert reference is not None
    assert reference.startswith("ADU-")
    found, xml = await both(client, f"requests/{reference}")
    assert xml.tag == "service_requests"
    assert [set(request) for request in found] == [REQUEST]
    assert [tags(request) for request in xml] == [REQUEST]
    listed, listed_xml = await both(client, "requests")
    assert [request["service_request_id"] for request in listed] == [reference]
    assert [request.findtext("service_request_id") for request in listed_xml] == [reference]


async def test_a_request_filed_with_a_key_reaches_the_agency_and_reads_back(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    api_key, admin, client_id = await issued_key(client, database_url)
    created = await client.post("/open311/v2/requests.json", data=form(api_key), headers=FORM)
    assert created.status_code == 201, created.text
    assert set(created.json()[0]) == CREATED
    reference = created.json()[0]["service_request_id"]
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    inbox = (await client.get("/v1/staff/cases", params={"module": "complaints"}, headers=officer)).json()
    assert [item["reference"] for item in inbox["items"]] == [reference]
    case_id = inbox["items"][0]["id"]
    detail = (await client.get(f"/v1/complaints/{case_id}", headers=officer)).json()
    assert (detail["source"], detail["district_code"], detail["attributes"]) == (
        "open311",
        "36.04.05",
        {"pole_number": "PJU-88"},
    )
    # The reporter's e-mail and phone went nowhere.
    everything = (await client.get(f"/v1/cases/{case_id}", headers=officer)).text + str(detail)
    assert "+6281234567890" not in everything
    assert "warga@example.com" not in everything

    [request] = (await client.get(f"/open311/v2/requests/{reference}.json")).json()
    assert request["status"] == "open"
    assert request["agency_responsible"] == "Dinas Perhubungan"
    assert request["expected_datetime"] is not None  # the SLA's due time
    assert (request["lat"], request["long"]) == (-6.05, 106.1)
    await client.post(f"/v1/cases/{case_id}/actions/verify", headers={**officer, "If-Match": "*"})
    await client.post(
        f"/v1/cases/{case_id}/actions/resolve", json={"note": "Lampu diganti."}, headers={**officer, "If-Match": "*"}
    )
    [request] = (await client.get(f"/open311/v2/requests/{reference}.json")).json()
    # The public reads the status's own title, never the officer's note to the resident.
    assert (request["status"], request["status_notes"]) == ("closed", "Selesai ditangani")
    closed = (await client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert [item["service_request_id"] for item in closed] == [reference]
    assert (await client.get("/open311/v2/requests.json", params={"status": "open"})).json() == []
    by_service = await client.get("/open311/v2/requests.json", params={"service_code": "rubbish"})
    assert by_service.json() == []
    future = await client.get("/open311/v2/requests.json", params={"start_date": "2099-01-01T00:00:00+07:00"})
    assert future.json() == []

    # A revoked key files nothing more.
    assert (await client.delete(f"/v1/complaints/open311-clients/{client_id}", headers=admin)).status_code == 204
    refused = await client.post("/open311/v2/requests.json", data=form(api_key), headers=FORM)
    assert refused.status_code == 403
    assert set(refused.json()[0]) == {"code", "description"}


async def test_a_request_without_a_district_is_placed_by_its_pin(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    api_key, _, _ = await issued_key(client, database_url)
    fields = {k: v for k, v in form(api_key).items() if k != "attribute[district_code]"}
    created = await client.post("/open311/v2/requests.json", data=fields, headers=FORM)
    assert created.status_code == 201, created.text
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    case_id = (await client.get("/v1/staff/cases", params={"module": "complaints"}, headers=officer)).json()["items"][
        0
    ]["id"]
    detail = (await client.get(f"/v1/complaints/{case_id}", headers=officer)).json()
    # lat -6.05, long 106.1 lies in Desa Wanayasa, Kecamatan Kramatwatu.
    assert (detail["district_code"], detail["village_code"]) == ("36.04.05", "36.04.05.2012")


async def test_private_complaints_never_appear_and_bad_requests_get_open311_errors(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    citizen = bearer(await resident_tokens(client, f"+62819{uuid.uuid4().int % 10**8:08d}"))
    private = await client.post(
        "/v1/complaints",
        json={
            "category": "street_lights",
            "description": "Lampu mati di gang rumah saya.",
            "latitude": -6.05,
            "longitude": 106.1,
            "district_code": "36.04.05",
            "public": False,
        },
        headers=citizen,
    )
    reference = private.json()["reference"]
    assert (await client.get("/open311/v2/requests.json")).json() == []
    missing = await client.get(f"/open311/v2/requests/{reference}.xml")
    assert missing.status_code == 404
    assert ElementTree.fromstring(missing.content).tag == "errors"
    api_key, _, _ = await issued_key(client, database_url)
    cases = {
        "no key": (form(""), 403),
        "a wrong key": (form("s311_not-a-key"), 403),
        "an unknown service": (form(api_key, service_code="volcanoes"), 404),
        "no position": ({k: v for k, v in form(api_key).items() if k != "lat"}, 400),
        "outside the regency": (form(api_key, lat="-6.2", long="106.8"), 400),
        "in Kota Serang, inside the regency's old rectangle": (form(api_key, lat="-6.12", long="106.15"), 400),
        "a district far from the pin": (form(api_key, **{"attribute[district_code]": "36.04.09"}), 400),
        "a short description": (form(api_key, description="mati"), 400),
        "an unknown district": (form(api_key, **{"attribute[district_code]": "36.04.99"}), 400),
    }
    for name, (fields, status) in cases.items():
        answer = await client.post("/open311/v2/requests.json", data=fields, headers=FORM)
        assert answer.status_code == status, (name, answer.text)
        assert set(answer.json()[0]) == {"code", "description"}, name
    assert (await client.get("/open311/v2/services/volcanoes.json")).status_code == 404
    assert (await client.get("/open311/v2/requests.json", params={"status": "lost"})).status_code == 400
    assert (await client.get("/open311/v2/requests.json", params={"start_date": "yesterday"})).status_code == 400
    # JSON bodies are not GeoReport v2's: 415.
    assert (await client.post("/open311/v2/requests.json", json=form(api_key))).status_code == 415
