"""Moderation over HTTP: staff of the complaint's agency hide a public complaint's text or one of
its photos, with a reason, and show it again. Every public surface (the feed, nearby, one public
complaint, Open311's list and single request in JSON and XML, the public thumbnail) honours it at
once; the reporter and the agency still read it all, marked with the reason; the reporter is told;
the timeline and the audit log keep each hide and restore (docs/complaints.md, "Moderation")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from serang_app.modules.complaints.public_view import HIDDEN_DESCRIPTION
from tests.support.accounts import resident, signed_in_staff
from tests.support.complaints_app import pothole_report
from tests.support.uploading import photo_with_gps, upload

# Words a resident should not have published: a neighbour's name and phone number.
EXPOSED = "Pak Darto 0812-7000-4242"
DESCRIPTION = f"Jalan berlubang di depan rumah {EXPOSED}, sudah tiga bulan."
REASON = "Memuat nama dan nomor telepon warga lain."
PHOTO_REASON = "Foto memperlihatkan wajah dan pelat nomor kendaraan."
BASE = "http://testserver.local"
Headers = dict[str, str]


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module()]


@dataclass
class Complaint:
    client: Any
    case_id: str
    reference: str
    photos: list[str]
    reporter: Headers
    officer: Headers


@pytest.fixture
async def complaint(client: AsyncTestClient[Litestar], database_url: str) -> Complaint:
    """A public pothole complaint with two photos, at DPUPR, whose description names a neighbour."""
    reporter = await resident(client, "Siti Aminah")
    photos = [(await upload(client, reporter, photo_with_gps()))[0] for _ in range(2)]
    filed = await client.post(
        "/v1/complaints",
        json=pothole_report(photos[0], photo_upload_ids=photos, description=DESCRIPTION),
        headers=reporter,
    )
    assert filed.status_code == 201, filed.text
    officer = await signed_in_staff(client, database_url, "officer", "DPUPR")
    case_id = filed.json()["case_id"]
    # In the order every surface lists them.
    photos = (await client.get(f"/v1/complaints/{case_id}", headers=officer)).json()["photo_upload_ids"]
    return Complaint(client, case_id, filed.json()["reference"], photos, reporter, officer)


async def moderate(complaint: Complaint, auth: Headers, **body: Any) -> Any:
    return await complaint.client.post(f"/v1/complaints/{complaint.case_id}/moderation", json=body, headers=auth)


async def public_surfaces(complaint: Complaint, language: str = "id") -> dict[str, Any]:
    """Every public answer about the complaint, by name, in one language."""
    client, headers = complaint.client, {"Accept-Language": language}
    answers = {
        "feed": await client.get("/v1/complaints/public", headers=headers),
        "nearby": await client.get("/v1/complaints/nearby", params={"lat": -6.05, "lon": 106.1}, headers=headers),
        "one": await client.get(f"/v1/complaints/public/{complaint.case_id}", headers=headers),
    }
    for fmt in ("json", "xml"):
        answers[f"open311 list {fmt}"] = await client.get(f"/open311/v2/requests.{fmt}", headers=headers)
        answers[f"open311 one {fmt}"] = await client.get(
            f"/open311/v2/requests/{complaint.reference}.{fmt}", headers=headers
        )
    for name, answer in answers.items():
        assert answer.status_code == 200, (name, answer.text)
        # Caches may keep a copy but must ask again before each use: a hide takes effect at once.
        assert answer.headers["cache-control"] == "no-cache", name
    return answers


def descriptions(answers: dict[str, Any]) -> dict[str, str]:
    """The complaint's description as each public surface shows it."""
    found = {
        "feed": answers["feed"].json()["items"][0]["description"],
        "nearby": answers["nearby"].json()["items"][0]["description"],
        "one": answers["one"].json()["description"],
    }
    for scope in ("list", "one"):
        found[f"open311 {scope} json"] = answers[f"open311 {scope} json"].json()[0]["description"]
        [request] = ElementTree.fromstring(answers[f"open311 {scope} xml"].content)
        found[f"open311 {scope} xml"] = request.findtext("description") or ""
    return found


def thumbnails(answers: dict[str, Any]) -> dict[str, Any]:
    [xml_request] = ElementTree.fromstring(answers["open311 one xml"].content)
    return {
        "feed": answers["feed"].json()["items"][0]["thumbnail_urls"],
        "nearby": answers["nearby"].json()["items"][0]["thumbnail_urls"],
        "one": answers["one"].json()["thumbnail_urls"],
        "open311 json": answers["open311 one json"].json()[0]["media_url"],
        "open311 list json": answers["open311 list json"].json()[0]["media_url"],
        "open311 xml": xml_request.findtext("media_url"),
    }


def thumbnail(photo_id: str) -> str:
    return f"{BASE}/v1/uploads/{photo_id}/public-thumbnail"


async def audit_actions(complaint: Complaint, database_url: str) -> list[tuple[str, str | None]]:
    """The complaint's moderation entries in the audit log, oldest first, as an admin reads them."""
    admin = await signed_in_staff(complaint.client, database_url, "admin", "DISKOMINFOSATIK")
    listed = await complaint.client.get("/v1/admin/audit", params={"object_id": complaint.case_id}, headers=admin)
    assert listed.status_code == 200, listed.text
    return [
        (entry["action"], entry["details"].get("photo_upload_id"))
        for entry in reversed(listed.json()["items"])
        if entry["action"].startswith("complaint.")
    ]


# --- the text ------------------------------------------------------------------------------------


async def test_hidden_text_leaves_every_public_surface_and_the_reporter_reads_why(
    complaint: Complaint, database_url: str
) -> None:
    client = complaint.client
    before = await public_surfaces(complaint)
    assert set(descriptions(before).values()) == {DESCRIPTION}

    hidden = await moderate(complaint, complaint.officer, target="text", action="hide", reason=REASON)
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["description"] == DESCRIPTION  # staff still read it
    assert [(item["target"], item["reason"]) for item in hidden.json()["hidden_from_public"]] == [("text", REASON)]

    answers = await public_surfaces(complaint)
    leaks = [name for name, answer in answers.items() if "Darto" in answer.text or "4242" in answer.text]
    assert leaks == []
    assert set(descriptions(answers).values()) == {HIDDEN_DESCRIPTION.id}
    assert answers["feed"].json()["items"][0]["description_hidden"] is True
    # Why is for the reporter, not for the public.
    assert all(REASON not in answer.text for answer in answers.values())
    english = await public_surfaces(complaint, "en")
    assert set(descriptions(english).values()) == {HIDDEN_DESCRIPTION.en}
    # The photos are untouched.
    assert thumbnails(answers)["one"] == [thumbnail(photo) for photo in complaint.photos]

    # The reporter sees their own words, what was hidden and why: the complaint, the timeline, the inbox.
    own = (await client.get(f"/v1/complaints/{complaint.case_id}", headers=complaint.reporter)).json()
    assert own["description"] == DESCRIPTION
    assert [(item["target"], item["photo_upload_id"], item["reason"]) for item in own["hidden_from_public"]] == [
        ("text", None, REASON)
    ]
    case = (await client.get(f"/v1/cases/{complaint.case_id}", headers=complaint.reporter)).json()
    assert {"action": "complaints.text_hidden", "note": REASON, "actor_role": "officer"}.items() <= case["timeline"][
        -1
    ].items()
    [told] = (await client.get("/v1/me/notifications", headers=complaint.reporter)).json()["items"]
    assert told["kind"] == "complaints.text_hidden"
    assert told["message"] == (
        f"Uraian laporan {complaint.reference} disembunyikan dari umum oleh petugas. Alasan: {REASON}"
    )

    restored = await moderate(complaint, complaint.officer, target="text", action="restore", reason="Sudah disunting.")
    assert restored.status_code == 200, restored.text
    assert restored.json()["hidden_from_public"] == []
    assert set(descriptions(await public_surfaces(complaint)).values()) == {DESCRIPTION}
    assert (await public_surfaces(complaint))["feed"].json()["items"][0]["description_hidden"] is False
    inbox = (await client.get("/v1/me/notifications", headers=complaint.reporter)).json()["items"]
    assert [item["kind"] for item in inbox] == ["complaints.text_restored", "complaints.text_hidden"]

    assert await audit_actions(complaint, database_url) == [
        ("complaint.text_hidden", None),
        ("complaint.text_restored", None),
    ]


# --- a photo -------------------------------------------------------------------------------------


async def test_a_hidden_photo_stops_serving_and_leaves_the_public_lists(
    complaint: Complaint, database_url: str
) -> None:
    client = complaint.client
    first, second = complaint.photos
    shown = await client.get(f"/v1/uploads/{first}/public-thumbnail", follow_redirects=False)
    assert shown.status_code == 307
    handed_out = shown.headers["location"]  # a short-lived link someone already holds
    assert (await client.get(handed_out)).status_code == 200

    hidden = await moderate(
        complaint, complaint.officer, target="photo", photo_upload_id=first, action="hide", reason=PHOTO_REASON
    )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["photo_upload_ids"] == complaint.photos  # staff still list it

    assert (await client.get(f"/v1/uploads/{first}/public-thumbnail", follow_redirects=False)).status_code == 404
    assert (await client.get(handed_out)).status_code == 404  # the link it gave out ends too
    assert (await client.get(f"/v1/uploads/{second}/public-thumbnail", follow_redirects=False)).status_code == 307
    assert thumbnails(await public_surfaces(complaint)) == {
        "feed": [thumbnail(second)],
        "nearby": [thumbnail(second)],
        "one": [thumbnail(second)],
        "open311 json": thumbnail(second),
        "open311 list json": thumbnail(second),
        "open311 xml": thumbnail(second),
    }
    # The reporter and the agency still open the photo, and read why it is hidden.
    for reader in (complaint.reporter, complaint.officer):
        read = await client.get(f"/v1/uploads/{first}", headers=reader)
        assert read.status_code == 200, read.text
        for file in read.json()["files"]:
            assert (await client.get(file["url"])).status_code == 200, file
    own = (await client.get(f"/v1/complaints/{complaint.case_id}", headers=complaint.reporter)).json()
    assert [(item["target"], item["photo_upload_id"], item["reason"]) for item in own["hidden_from_public"]] == [
        ("photo", first, PHOTO_REASON)
    ]
    [told] = (await client.get("/v1/me/notifications", headers=complaint.reporter)).json()["items"]
    assert (told["kind"], PHOTO_REASON in told["message"]) == ("complaints.photo_hidden", True)

    # Both photos hidden: Open311 has no media_url at all. The reason is kept normalized (NFC),
    # as every text of a JSON body: "kafe" and a combining acute accent become one "é".
    also = await moderate(
        complaint,
        complaint.officer,
        target="photo",
        photo_upload_id=second,
        action="hide",
        reason="Wajah di kafe\u0301.",
    )
    assert also.status_code == 200, also.text
    assert also.json()["hidden_from_public"][1]["reason"] == "Wajah di kaf\u00e9."
    assert thumbnails(await public_surfaces(complaint))["open311 json"] is None

    for photo in (first, second):
        restored = await moderate(
            complaint, complaint.officer, target="photo", photo_upload_id=photo, action="restore", reason="Diburamkan."
        )
        assert restored.status_code == 200, restored.text
    again = await client.get(f"/v1/uploads/{first}/public-thumbnail", follow_redirects=False)
    assert again.status_code == 307
    assert again.headers["location"] != handed_out
    assert (await client.get(again.headers["location"])).status_code == 200
    assert thumbnails(await public_surfaces(complaint))["one"] == [thumbnail(first), thumbnail(second)]
    assert await audit_actions(complaint, database_url) == [
        ("complaint.photo_hidden", first),
        ("complaint.photo_hidden", second),
        ("complaint.photo_restored", first),
        ("complaint.photo_restored", second),
    ]


# --- who -----------------------------------------------------------------------------------------


async def test_only_the_agency_and_admins_moderate(complaint: Complaint, database_url: str) -> None:
    client = complaint.client
    hide = {"target": "text", "action": "hide", "reason": REASON}
    elsewhere = await signed_in_staff(client, database_url, "supervisor", "DLH")
    assert (await moderate(complaint, elsewhere, **hide)).status_code == 404
    # A resident, the reporter too, moderates nothing.
    for someone in (complaint.reporter, await resident(client, "Tetangga")):
        assert (await moderate(complaint, someone, **hide)).status_code == 403
    assert (await client.post(f"/v1/complaints/{complaint.case_id}/moderation", json=hide)).status_code == 401
    # Nothing was hidden by those refused.
    assert (await client.get(f"/v1/complaints/public/{complaint.case_id}")).json()["description"] == DESCRIPTION

    supervisor = await signed_in_staff(client, database_url, "supervisor", "DPUPR")
    assert (await moderate(complaint, supervisor, **hide)).status_code == 200
    admin = await signed_in_staff(client, database_url, "admin", "DISKOMINFOSATIK")
    assert (await moderate(complaint, admin, **{**hide, "action": "restore"})).status_code == 200


# --- bad input -----------------------------------------------------------------------------------

BAD_BODIES: dict[str, tuple[dict[str, Any], int, str]] = {
    "an unknown field": ({"target": "text", "action": "hide", "reason": REASON, "public": False}, 422, "public"),
    "no reason": ({"target": "text", "action": "hide"}, 422, "reason"),
    "an empty reason": ({"target": "text", "action": "hide", "reason": ""}, 422, "reason"),
    "a blank reason": ({"target": "text", "action": "hide", "reason": " \n\t "}, 422, "reason"),
    "an overlong reason": ({"target": "text", "action": "hide", "reason": "x" * 501}, 422, "reason"),
    "a control character": ({"target": "text", "action": "hide", "reason": "a\u0007b"}, 422, "reason"),
    "a bidirectional override": ({"target": "text", "action": "hide", "reason": "a\u202eb"}, 422, "reason"),
    "an unknown target": ({"target": "address", "action": "hide", "reason": REASON}, 422, "target"),
    "an unknown action": ({"target": "text", "action": "delete", "reason": REASON}, 422, "action"),
    "a photo without its id": ({"target": "photo", "action": "hide", "reason": REASON}, 422, "photo_upload_id"),
    "a photo id on the text": (
        {"target": "text", "action": "hide", "reason": REASON, "photo_upload_id": str(uuid.UUID(int=1))},
        422,
        "photo_upload_id",
    ),
    "a photo id that is not a uuid": (
        {"target": "photo", "action": "hide", "reason": REASON, "photo_upload_id": "../../etc"},
        422,
        "photo_upload_id",
    ),
    "an unknown photo": (
        {"target": "photo", "action": "hide", "reason": REASON, "photo_upload_id": str(uuid.UUID(int=1))},
        422,
        "photo_upload_id",
    ),
    "restoring what is shown": ({"target": "text", "action": "restore", "reason": REASON}, 409, ""),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
async def test_bad_moderation_is_refused_clearly(complaint: Complaint, case: str) -> None:
    body, status, field = BAD_BODIES[case]
    refused = await moderate(complaint, complaint.officer, **body)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    if field:
        assert field in {error["field"] for error in refused.json()["errors"]}
    assert (await complaint.client.get(f"/v1/complaints/{complaint.case_id}", headers=complaint.officer)).json()[
        "hidden_from_public"
    ] == []


async def test_hiding_twice_another_cases_photo_and_odd_requests_are_4xx(
    complaint: Complaint, client: AsyncTestClient[Litestar]
) -> None:
    hide = {"target": "text", "action": "hide", "reason": REASON}
    assert (await moderate(complaint, complaint.officer, **hide)).status_code == 200
    twice = await moderate(complaint, complaint.officer, **hide)
    assert (twice.status_code, twice.json()["code"]) == (409, "complaints_already_hidden")

    # A photo of another complaint of the same agency is not this complaint's.
    other_photo, _ = await upload(client, complaint.reporter, photo_with_gps())
    other = await client.post("/v1/complaints", json=pothole_report(other_photo), headers=complaint.reporter)
    assert other.status_code == 201, other.text
    foreign = await moderate(
        complaint, complaint.officer, target="photo", photo_upload_id=other_photo, action="hide", reason=REASON
    )
    assert (foreign.status_code, foreign.json()["errors"][0]["field"]) == (422, "photo_upload_id")
    assert (await client.get(f"/v1/uploads/{other_photo}/public-thumbnail", follow_redirects=False)).status_code == 307

    # A private complaint has no public surface to hide anything from.
    private_photo, _ = await upload(client, complaint.reporter, photo_with_gps())
    private = await client.post(
        "/v1/complaints", json=pothole_report(private_photo, public=False), headers=complaint.reporter
    )
    assert private.status_code == 201, private.text
    answer = await client.post(
        f"/v1/complaints/{private.json()['case_id']}/moderation", json=hide, headers=complaint.officer
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "complaints_not_public")

    unknown = await client.post(f"/v1/complaints/{uuid.uuid4()}/moderation", json=hide, headers=complaint.officer)
    assert unknown.status_code == 404
    not_a_case = await client.post("/v1/complaints/ADU-2612-000001/moderation", json=hide, headers=complaint.officer)
    assert 400 <= not_a_case.status_code < 500
    for body in (b"[]", b"null", b'{"target": ', b"\xff\xfe", b'{"reason": ' + b"[" * 100 + b"]" * 100 + b"}"):
        odd = await client.post(
            f"/v1/complaints/{complaint.case_id}/moderation",
            content=body,
            headers={**complaint.officer, "Content-Type": "application/json"},
        )
        assert 400 <= odd.status_code < 500, (body, odd.text)
