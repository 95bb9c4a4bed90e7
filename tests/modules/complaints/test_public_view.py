"""What the public sees of a complaint is one definition (complaints/public_view.py), and every
public surface keeps to it: the feed, nearby search, one public complaint, and Open311's requests
in JSON and XML, as a list and one by one. Residents' addresses, notes between staff and the
resident, and the names of anonymous or erased reporters never reach any of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from tests.support.accounts import resident, signed_in_staff
from tests.support.uploading import photo_with_gps, upload

HERE = {"latitude": -6.05, "longitude": 106.1}
# HERE lies in Desa Wanayasa (the village must agree with the pin: docs/regions.md).
KRAMATWATU, WANAYASA = "36.04.05", "36.04.05.2012"
# 1.1 km south of HERE, in a village of the next district: a complaint filed there for Kramatwatu
# keeps its district and gets no village from the pin, so its address has none.
NEAR_THE_BORDER = {"latitude": -6.06, "longitude": 106.1}
# Texts residents and staff wrote for each other: none may reach the public.
PRIVATE = {
    "address": "Jl. Melati No. 7, telepon 0812-7000-0001",
    "comment": "Silakan hubungi petugas kami di 0812-7000-0002.",
    "question": "Mohon kirim foto KTP Anda lewat WA 0812-7000-0003.",
    "answer": "Rumah saya di belakang masjid, telp 0812-7000-0004.",
    "resolution": "Sudah diganti; keluhan lanjutan ke 0812-7000-0005.",
    "anonymous address": "Gang Mawar, rumah Pak Budi",
    "anonymous name": "Budi Santoso",
    "erased address": "Perumahan Griya Asri blok C3",
    "erased name": "Rina Wati",
}


@dataclass
class Story:
    client: Any
    # case id -> reference
    named: tuple[str, str]
    anonymous: tuple[str, str]
    erased: tuple[str, str]
    resolved: tuple[str, str]
    # The resolved complaint's own photo, and the officer's proof attached to its resolution.
    photo: str
    proof: str

    @property
    def all(self) -> list[tuple[str, str]]:
        return [self.named, self.anonymous, self.erased, self.resolved]


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module()]


async def file(client: Any, auth: dict[str, str], address: str, **changes: Any) -> tuple[str, str]:
    body = {
        "category": "street_lights",
        "description": "Lampu jalan di depan pasar mati sejak seminggu.",
        "district_code": KRAMATWATU,
        "village_code": WANAYASA,
        "address": address,
        **HERE,
        **changes,
    }
    filed = await client.post("/v1/complaints", json=body, headers=auth)
    assert filed.status_code == 201, filed.text
    return filed.json()["case_id"], filed.json()["reference"]


async def act(
    client: Any, auth: dict[str, str], case_id: str, action: str, note: str | None = None, **body: Any
) -> None:
    done = await client.post(
        f"/v1/cases/{case_id}/actions/{action}",
        json={"note": note, **body} if note else None,
        headers={**auth, "If-Match": "*"},
    )
    assert done.status_code == 200, done.text


@pytest.fixture
async def story(client: AsyncTestClient[Litestar], database_url: str) -> Story:
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    siti = await resident(client, "Siti Aminah")
    named = await file(client, siti, PRIVATE["address"])
    comment = await client.post(
        f"/v1/staff/cases/{named[0]}/comments", json={"body": PRIVATE["comment"], "public": True}, headers=officer
    )
    assert comment.status_code == 200, comment.text
    await act(client, officer, named[0], "verify")
    await act(client, officer, named[0], "ask_resident", PRIVATE["question"])
    await act(client, siti, named[0], "answer", PRIVATE["answer"])

    budi = await resident(client, PRIVATE["anonymous name"])
    anonymous = await file(client, budi, PRIVATE["anonymous address"], anonymous=True)

    rina = await resident(client, PRIVATE["erased name"])
    erased = await file(client, rina, PRIVATE["erased address"])
    assert (await client.delete("/v1/me", headers=rina)).status_code == 204

    photo, _ = await upload(client, siti, photo_with_gps())
    resolved = await file(
        client, siti, PRIVATE["address"], village_code=None, photo_upload_ids=[photo], **NEAR_THE_BORDER
    )
    await act(client, officer, resolved[0], "verify")
    proof, _ = await upload(client, officer, photo_with_gps(), purpose="case_proof")
    await act(client, officer, resolved[0], "resolve", PRIVATE["resolution"], upload_ids=[proof])
    return Story(client, named, anonymous, erased, resolved, photo, proof)


async def public_answers(story: Story) -> dict[str, Any]:
    """Every public surface's answer about the story's complaints, by name."""
    client = story.client
    answers = {
        "feed": await client.get("/v1/complaints/public"),
        "nearby": await client.get("/v1/complaints/nearby", params={"lat": -6.05, "lon": 106.1, "radius": 2000}),
        "open311 list json": await client.get("/open311/v2/requests.json"),
        "open311 list xml": await client.get("/open311/v2/requests.xml"),
    }
    for case_id, reference in story.all:
        answers[f"public {reference}"] = await client.get(f"/v1/complaints/public/{case_id}")
        for fmt in ("json", "xml"):
            answers[f"open311 {reference}.{fmt}"] = await client.get(f"/open311/v2/requests/{reference}.{fmt}")
    for name, answer in answers.items():
        assert answer.status_code == 200, (name, answer.text)
    return answers


async def test_no_public_surface_shows_addresses_notes_or_hidden_reporters(story: Story) -> None:
    answers = await public_answers(story)
    private = {**PRIVATE, "a phone number": "0812-7000", "the officer's proof": story.proof}
    leaks = {
        name: [label for label, text in private.items() if text in answer.text] for name, answer in answers.items()
    }
    assert {name: found for name, found in leaks.items() if found} == {}


async def test_what_the_public_may_see_stays_on_every_surface(story: Story) -> None:
    answers = await public_answers(story)
    feed = {item["case_id"]: item for item in answers["feed"].json()["items"]}
    assert set(feed) == {case_id for case_id, _ in story.all}
    assert feed[story.named[0]]["reporter_name"] == "Siti Aminah"
    assert feed[story.anonymous[0]]["reporter_name"] is None
    assert feed[story.erased[0]]["reporter_name"] is None
    assert feed[story.named[0]]["village_code"] == WANAYASA
    assert feed[story.named[0]]["status"] == "in_progress"
    assert feed[story.resolved[0]]["thumbnail_urls"] == [
        f"http://testserver.local/v1/uploads/{story.photo}/public-thumbnail"
    ]
    # Nearby shows the open ones; the resolved one has left it.
    nearby = {item["case_id"] for item in answers["nearby"].json()["items"]}
    assert nearby == {story.named[0], story.anonymous[0], story.erased[0]}
    one = answers[f"public {story.named[1]}"].json()
    assert (one["description"], one["district_code"]) == ("Lampu jalan di depan pasar mati sejak seminggu.", KRAMATWATU)

    listed = {request["service_request_id"]: request for request in answers["open311 list json"].json()}
    assert set(listed) == {reference for _, reference in story.all}
    xml_listed = {
        request.findtext("service_request_id"): request
        for request in ElementTree.fromstring(answers["open311 list xml"].content)
    }
    for _, reference in story.all:
        [single] = answers[f"open311 {reference}.json"].json()
        [single_xml] = ElementTree.fromstring(answers[f"open311 {reference}.xml"].content)
        assert single == listed[reference]
        for request in (single, listed[reference]):
            assert request["description"] == "Lampu jalan di depan pasar mati sejak seminggu."
            assert request["agency_responsible"] == "Dinas Perhubungan"
        for request in (single_xml, xml_listed[reference]):
            assert request.findtext("address") == listed[reference]["address"]
            assert request.findtext("status_notes") == listed[reference]["status_notes"]
    assert (
        listed[story.resolved[1]]["media_url"] == f"http://testserver.local/v1/uploads/{story.photo}/public-thumbnail"
    )
    # The address is made of the region names; the notes are the status's own title.
    assert listed[story.named[1]]["address"] == "Wanayasa, Kramatwatu, Kabupaten Serang"
    assert listed[story.resolved[1]]["address"] == "Kramatwatu, Kabupaten Serang"
    assert (listed[story.named[1]]["status"], listed[story.named[1]]["status_notes"]) == (
        "open",
        "Dikerjakan",
    )
    assert (listed[story.resolved[1]]["status"], listed[story.resolved[1]]["status_notes"]) == (
        "closed",
        "Selesai ditangani",
    )
    english = await story.client.get(
        f"/open311/v2/requests/{story.resolved[1]}.json", headers={"Accept-Language": "en"}
    )
    assert english.json()[0]["status_notes"] == "Resolved"
