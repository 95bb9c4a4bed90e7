"""The complaints module end to end over the app's HTTP API: filing with photos and a pin,
routing to the category's agency, the workflow, nearby search, support, merging, the public feed
and the categories admins edit."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.cases.engine import CaseEngine
from serang_app.cases.registry import WorkflowRegistry
from serang_app.module_system.spec import ModuleSpec
from serang_app.modules.complaints import complaints_module
from tests.support.accounts import bearer, resident, resident_tokens, signed_in_staff
from tests.support.uploading import photo_with_gps, upload

# A point in Kramatwatu, and points 100 m north and 2 km east of it.
HERE = (-6.0500, 106.1000)
NORTH_100M = (-6.0500 + 100 / 111_320, 106.1000)
EAST_2KM = (-6.0500, 106.1000 + 2000 / 110_700)
KRAMATWATU = "36.04.05"
SURVEY = {
    "requirements": 4,
    "procedure": 4,
    "service_time": 3,
    "cost": 4,
    "product": 4,
    "competence": 4,
    "behaviour": 4,
    "complaint_handling": 3,
    "facilities": 3,
}


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module()]


def draft(point: tuple[float, float] = HERE, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "street_lights",
        "description": "Lampu jalan di depan masjid mati sejak seminggu.",
        "latitude": point[0],
        "longitude": point[1],
        "district_code": KRAMATWATU,
    }
    body.update(changes)
    return body


async def file(client: Any, auth: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/complaints", json=draft(**changes), headers=auth)
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    return filed


async def act(client: Any, auth: dict[str, str], case_id: str, action: str, **body: Any) -> Any:
    return await client.post(
        f"/v1/cases/{case_id}/actions/{action}", json=body or None, headers={**auth, "If-Match": "*"}
    )


# --- the whole path -----------------------------------------------------------------------------


async def test_a_complaint_goes_from_photo_to_rating_and_only_its_agency_sees_it(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    photo_id, completed = await upload(client, citizen, photo_with_gps())
    assert completed.status_code == 200
    filed = await file(
        client,
        citizen,
        category="roads_bridges",
        description="Jalan berlubang besar di depan SDN Kramatwatu 1.",
        photo_upload_ids=[photo_id],
        attributes={"road_kind": "pothole", "width_m": 1.5},
    )
    assert filed["reference"].startswith("ADU-")
    assert filed["opd_code"] == "DPUPR"  # routed by the category, not the catalogue entry
    case_id = filed["case_id"]
    case = await db.fetchrow("SELECT sla_days, service_code, is_public FROM cases WHERE id = $1", uuid.UUID(case_id))
    assert case is not None
    assert (case["sla_days"], case["service_code"], case["is_public"]) == (10, "complaints.report", True)

    officer = await signed_in_staff(client, database_url, "officer", "DPUPR")
    outsider = await signed_in_staff(client, database_url, "officer", "DLH")
    inbox = (await client.get("/v1/staff/cases", params={"module": "complaints"}, headers=officer)).json()
    assert [item["id"] for item in inbox["items"]] == [case_id]
    assert (await client.get("/v1/staff/cases", headers=outsider)).json()["items"] == []
    for path in (f"/v1/cases/{case_id}", f"/v1/complaints/{case_id}"):
        assert (await client.get(path, headers=outsider)).status_code == 404
    assert (await act(client, outsider, case_id, "verify")).status_code == 404
    seen = (await client.get(f"/v1/complaints/{case_id}", headers=officer)).json()
    # The upload ids under the name the draft uses, and under the deprecated name until it goes.
    assert seen["photo_upload_ids"] == seen["photo_ids"] == [photo_id]
    assert seen["attributes"] == {"road_kind": "pothole", "width_m": 1.5}
    assert (await client.get(f"/v1/uploads/{photo_id}", headers=officer)).status_code == 200

    assert (await act(client, officer, case_id, "verify")).status_code == 200
    assert (await act(client, officer, case_id, "start_work")).status_code == 200
    assert (await act(client, officer, case_id, "resolve")).status_code == 422  # the resolution note
    proof, _ = await upload(client, officer, photo_with_gps(), purpose="case_proof")
    resolved = await act(client, officer, case_id, "resolve", note="Lubang sudah ditambal aspal.", upload_ids=[proof])
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["attachment_upload_ids"] == resolved.json()["attachments"] == [photo_id, proof]

    told = await db.fetch(
        "SELECT template FROM notifications WHERE case_id = $1 ORDER BY created_at", uuid.UUID(case_id)
    )
    assert [row["template"] for row in told] == [
        "complaints.verified",
        "complaints.in_progress",
        "complaints.resolved",
    ]
    inbox_texts = (await client.get("/v1/me/notifications", headers=citizen)).json()["items"]
    assert filed["reference"] in inbox_texts[0]["message"]

    rated = await client.post(f"/v1/cases/{case_id}/rating", json={"stars": 5, "survey": SURVEY}, headers=citizen)
    assert rated.status_code == 200, rated.text
    assert rated.json()["status"] == "closed"  # the rating closes it


async def test_the_resident_reopens_a_resolved_complaint_until_it_closes_by_itself(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    first, second = [(await file(client, citizen))["case_id"] for _ in range(2)]
    for case_id in (first, second):
        await act(client, officer, case_id, "verify")
        assert (await act(client, officer, case_id, "resolve", note="Lampu diganti.")).status_code == 200
    reopened = await act(client, citizen, first, "reopen", note="Masih mati malam ini.")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "in_progress"
    # A week on, the other one closes by itself, and can no longer be reopened.
    await db.execute(
        "UPDATE cases SET status_since = now() - interval '7 days 1 minute' WHERE id = $1", uuid.UUID(second)
    )
    assert await _run_timers(database_url) == 1
    assert await db.fetchval("SELECT status FROM cases WHERE id = $1", uuid.UUID(second)) == "closed"
    late = await act(client, citizen, second, "reopen", note="Mati lagi.")
    assert late.status_code == 409


async def _run_timers(database_url: str) -> int:
    from serang_app.cases.timers import take_timed_transitions
    from serang_app.db.pool import open_database

    database = await open_database(database_url, min_size=1, max_size=2, connect_timeout=5)
    try:
        return await take_timed_transitions(database, CaseEngine(WorkflowRegistry([complaints_module()])))
    finally:
        await database.close()


async def test_forwarding_and_waiting_for_the_resident(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    triage = await signed_in_staff(client, database_url, "officer", "DISKOMINFOSATIK")
    dlh = await signed_in_staff(client, database_url, "officer", "DLH")
    case_id = (await file(client, citizen, category="other", description="Tumpukan sampah di pinggir sungai."))[
        "case_id"
    ]
    assert (await db.fetchval("SELECT opd_code FROM cases WHERE id = $1", uuid.UUID(case_id))) == "DISKOMINFOSATIK"
    forwarded = await act(client, triage, case_id, "forward", note="Urusan DLH.", opd_code="DLH")
    assert forwarded.status_code == 200, forwarded.text
    assert (await client.get(f"/v1/complaints/{case_id}", headers=dlh)).json()["opd_code"] == "DLH"
    assert (await client.get(f"/v1/complaints/{case_id}", headers=triage)).status_code == 404
    await act(client, dlh, case_id, "verify")
    asked = await act(client, dlh, case_id, "ask_resident", note="Di RT berapa?")
    assert asked.json()["is_paused"] is True
    answered = await act(client, citizen, case_id, "answer", note="RT 03 RW 01.")
    assert answered.json()["status"] == "in_progress"


# --- refusals -----------------------------------------------------------------------------------


async def test_bad_complaints_are_refused_naming_every_problem(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    citizen = await resident(client)
    other = await resident(client)
    others_photo, _ = await upload(client, other, photo_with_gps())
    cases = {
        # Outside the regency's boundary (docs/regions.md): named by both fields.
        "outside the regency": (draft(point=(-6.2, 106.8)), ["latitude", "longitude"]),  # Jakarta
        "in the sea north of it": (draft(point=(-5.5, 106.1)), ["latitude", "longitude"]),
        "in Kota Serang, inside the old rectangle": (draft(point=(-6.12, 106.15)), ["latitude", "longitude"]),
        "outside Indonesia": (draft(point=(-6.05, 150.0)), ["longitude"]),
        "unknown category": (draft(category="volcanoes"), ["category"]),
        "six photos": (draft(photo_upload_ids=[str(uuid.uuid4()) for _ in range(6)]), ["photo_upload_ids"]),
        "another's photo": (draft(photo_upload_ids=[others_photo]), ["photo_upload_ids"]),
        "a photo that does not exist": (draft(photo_upload_ids=[str(uuid.uuid4())]), ["photo_upload_ids"]),
        "a choice not offered": (
            draft(category="roads_bridges", photo_upload_ids=[], attributes={"road_kind": "volcano"}),
            ["photo_upload_ids", "attributes.road_kind"],
        ),
        "a word for a number, an unknown question": (
            draft(category="drainage_flooding", attributes={"since": "kemarin", "colour": "brown"}),
            ["photo_upload_ids", "attributes.colour", "attributes.since"],
        ),
        "a required question left out": (draft(category="schools"), ["attributes.school_name"]),
        "a number for yes or no": (draft(anonymous=0), ["anonymous"]),
        "a village of another district": (draft(village_code="36.04.06.2001"), ["village_code"]),
        "a district outside the regency": (draft(district_code="36.04.99"), ["district_code"]),
    }
    for name, (body, fields) in cases.items():
        answer = await client.post("/v1/complaints", json=body, headers=citizen)
        assert answer.status_code == 422, name
        assert sorted(error["field"] for error in answer.json()["errors"]) == sorted(fields), name
    assert await db.fetchval("SELECT count(*) FROM cases") == 0
    assert await db.fetchval("SELECT case_id FROM uploads WHERE id = $1", uuid.UUID(others_photo)) is None
    # Staff do not file complaints; nobody files without signing in.
    assert (await client.post("/v1/complaints", json=draft())).status_code == 401


async def test_an_ended_session_or_account_files_nothing_and_its_key_stays_free(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    """Filing checks the account in its first statement, with the category and the catalogue
    entry (authentication does not look it up first), and the Idempotency-Key's claim checks it
    too: a signed-out session or an erased account is refused 401 as elsewhere, before any problem
    with the draft, with or without a key; nothing is written and the key is not kept."""
    phone = f"+62819{uuid.uuid4().int % 10**8:08d}"
    tokens = await resident_tokens(client, phone)
    assert (await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
    key = uuid.uuid4().hex
    for body in (draft(), draft(category="volcanoes", point=(-6.2, 106.8))):
        for headers in (bearer(tokens), {**bearer(tokens), "Idempotency-Key": key}):
            refused = await client.post("/v1/complaints", json=body, headers=headers)
            assert refused.status_code == 401, refused.text
            assert refused.json()["status"] == 401
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    again = {**bearer(await resident_tokens(client, phone)), "Idempotency-Key": key}
    filed = await client.post("/v1/complaints", json=draft(), headers=again)
    assert filed.status_code == 201, filed.text
    assert (await client.post("/v1/complaints", json=draft(), headers=again)).json() == filed.json()
    erased = await resident(client)
    assert (await client.delete("/v1/me", headers=erased)).status_code == 204
    for headers in (erased, {**erased, "Idempotency-Key": uuid.uuid4().hex}):
        refused = await client.post("/v1/complaints", json=draft(), headers=headers)
        assert refused.status_code == 401, refused.text
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 1
    assert await db.fetchval("SELECT count(*) FROM cases") == 1


async def test_a_closed_catalogue_entry_takes_no_complaints_after_the_drafts_own_problems(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    """The category is read in the round trip that reads the catalogue entry: a complaint still
    hears about its own mistakes first (422), then that the service is closed (409), and the case
    is routed by the category (its agency, its SLA) as before."""
    citizen = await resident(client)
    await db.execute("UPDATE catalogue_services SET is_open = false WHERE code = 'complaints.report'")
    mistaken = await client.post("/v1/complaints", json=draft(category="volcanoes"), headers=citizen)
    assert [error["field"] for error in mistaken.json()["errors"]] == ["category"]
    closed = await client.post("/v1/complaints", json=draft(), headers=citizen)
    assert (closed.status_code, closed.json()["code"]) == (409, "service_closed")
    assert await db.fetchval("SELECT count(*) FROM cases") == 0
    await db.execute("UPDATE catalogue_services SET is_open = true WHERE code = 'complaints.report'")
    filed = await file(client, citizen)
    row = await db.fetchrow(
        "SELECT opd_code, sla_days, district_code, is_public FROM cases WHERE id = $1", uuid.UUID(filed["case_id"])
    )
    category = await db.fetchrow(
        "SELECT opd_code, sla_days, public_by_default FROM complaints.categories WHERE code = 'street_lights'"
    )
    assert row is not None
    assert category is not None
    assert dict(row) == {
        "opd_code": category["opd_code"],
        "sla_days": category["sla_days"],
        "district_code": KRAMATWATU,
        "is_public": category["public_by_default"],
    }


# --- nearby, support, merging -------------------------------------------------------------------


async def test_nearby_finds_what_is_close_and_open_and_public(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    citizen = await resident(client)
    close = (await file(client, citizen, point=NORTH_100M))["case_id"]
    far = (await file(client, citizen, point=EAST_2KM))["case_id"]
    await file(client, citizen, point=HERE, public=False)
    done = (await file(client, citizen, point=HERE))["case_id"]
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    await act(client, officer, done, "verify")
    await act(client, officer, done, "resolve", note="Selesai.")
    found = await client.get("/v1/complaints/nearby", params={"lat": HERE[0], "lon": HERE[1]})
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    assert [item["case_id"] for item in items] == [close]
    assert 95 < items[0]["distance_m"] < 105
    wider = await client.get("/v1/complaints/nearby", params={"lat": HERE[0], "lon": HERE[1], "radius": 2000})
    assert [item["case_id"] for item in wider.json()["items"]] == [close, far]
    other_kind = await client.get(
        "/v1/complaints/nearby", params={"lat": HERE[0], "lon": HERE[1], "category": "rubbish"}
    )
    assert other_kind.json()["items"] == []
    assert (await client.get("/v1/complaints/nearby", params={"lat": 95, "lon": 106})).status_code == 422
    no_longitude = await client.get("/v1/complaints/nearby", params={"lat": HERE[0]})
    assert no_longitude.status_code == 422
    assert [error["field"] for error in no_longitude.json()["errors"]] == ["lon"]


async def test_support_follows_and_merging_moves_the_followers(
    client: AsyncTestClient[Litestar], database_url: str, db: asyncpg.Connection
) -> None:
    reporter, neighbour, late_reporter = [await resident(client) for _ in range(3)]
    original = (await file(client, reporter))["case_id"]
    supported = await client.post(f"/v1/complaints/{original}/support", headers=neighbour)
    assert supported.json() == {"supporting": True, "support_count": 1}
    again = await client.post(f"/v1/complaints/{original}/support", headers=neighbour)
    assert again.json()["support_count"] == 1  # once per resident
    own = await client.post(f"/v1/complaints/{original}/support", headers=reporter)
    assert own.status_code == 409
    assert own.json()["code"] == "complaints_own_report"
    private = (await file(client, reporter, public=False))["case_id"]
    assert (await client.post(f"/v1/complaints/{private}/support", headers=neighbour)).status_code == 404

    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    await act(client, officer, original, "verify")
    neighbour_id = await db.fetchval("SELECT resident_id FROM case_followers WHERE case_id = $1", uuid.UUID(original))
    told = await db.fetch("SELECT recipient_id FROM notifications WHERE template = 'complaints.verified'")
    assert len(told) == 2
    assert neighbour_id in {row["recipient_id"] for row in told}

    duplicate = (await file(client, late_reporter, point=NORTH_100M))["case_id"]
    # Merging is the module's route only: the generic action route does not offer it.
    generic = await act(client, officer, duplicate, "merge")
    assert generic.status_code == 409
    assert "merge" not in generic.json()["allowed_actions"]
    into_itself = await client.post(
        f"/v1/complaints/{duplicate}/merge", json={"into_case_id": duplicate}, headers=officer
    )
    assert into_itself.status_code == 422
    merged = await client.post(
        f"/v1/complaints/{duplicate}/merge", json={"into_case_id": original, "note": "Laporan sama."}, headers=officer
    )
    assert merged.status_code == 200, merged.text
    assert (merged.json()["status"], merged.json()["merged_into"]) == ("merged", original)
    assert (
        await db.fetchval("SELECT support_count FROM complaints.reports WHERE case_id = $1", uuid.UUID(original)) == 2
    )
    # The late reporter was told of the merge, and now follows the original.
    await act(client, officer, original, "start_work")
    late_id = await db.fetchval("SELECT resident_id FROM cases WHERE id = $1", uuid.UUID(duplicate))
    templates = await db.fetch(
        "SELECT template FROM notifications WHERE recipient_id = $1 ORDER BY created_at", late_id
    )
    assert [row["template"] for row in templates] == ["complaints.merged", "complaints.in_progress"]
    withdrawn = await client.delete(f"/v1/complaints/{original}/support", headers=neighbour)
    assert withdrawn.json() == {"supporting": False, "support_count": 1}


# --- the public feed ----------------------------------------------------------------------------


async def test_the_public_feed_shows_public_complaints_without_personal_data(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    named = await resident(client, name="Siti Aminah")
    photo_id, _ = await upload(client, named, photo_with_gps())
    shown = (await file(client, named, photo_upload_ids=[photo_id]))["case_id"]
    hidden_name = (await file(client, named, anonymous=True, point=EAST_2KM))["case_id"]
    await file(client, named, public=False)
    page = await client.get("/v1/complaints/public")
    assert page.status_code == 200
    items = {item["case_id"]: item for item in page.json()["items"]}
    assert set(items) == {shown, hidden_name}
    assert items[shown]["reporter_name"] == "Siti Aminah"
    assert items[hidden_name]["reporter_name"] is None
    assert items[shown]["thumbnail_urls"] == [f"http://testserver.local/v1/uploads/{photo_id}/public-thumbnail"]
    assert items[shown]["status_title"] == {"id": "Diterima", "en": "Received"}
    phone = await db.fetchval("SELECT phone FROM residents WHERE name = 'Siti Aminah'")
    assert phone not in page.text
    # A box around the first point only; a district; a cursor through one at a time.
    west, south = HERE[1] - 0.005, HERE[0] - 0.005
    boxed = await client.get("/v1/complaints/public", params={"bbox": f"{west},{south},{west + 0.01},{south + 0.01}"})
    assert [item["case_id"] for item in boxed.json()["items"]] == [shown]
    assert (await client.get("/v1/complaints/public", params={"bbox": "106,-7,108,-5"})).status_code == 422
    elsewhere = await client.get("/v1/complaints/public", params={"district": "36.04.06"})
    assert elsewhere.json()["items"] == []
    first = (await client.get("/v1/complaints/public", params={"limit": 1})).json()
    second = (await client.get("/v1/complaints/public", params={"limit": 1, "cursor": first["next_cursor"]})).json()
    assert [first["items"][0]["case_id"], second["items"][0]["case_id"]] == [hidden_name, shown]
    assert second["next_cursor"] is None
    assert (await client.get(f"/v1/complaints/public/{shown}")).json()["case_id"] == shown


# --- categories ---------------------------------------------------------------------------------


async def test_categories_are_listed_with_caching_and_edited_by_admins(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    listed = await client.get("/v1/complaints/categories")
    codes = [item["code"] for item in listed.json()["items"]]
    assert codes[:4] == ["roads_bridges", "street_lights", "drainage_flooding", "rubbish"]
    assert len(codes) == 10
    assert codes[-1] == "other"
    unchanged = await client.get("/v1/complaints/categories", headers={"If-None-Match": listed.headers["etag"]})
    assert unchanged.status_code == 304
    admin = await signed_in_staff(client, database_url, "admin", None)
    officer = await signed_in_staff(client, database_url, "officer", "DLH")
    blocking: dict[str, Any] = {
        "code": "blocking",
        "datatype": "singlevaluelist",
        "description": {"id": "Menutup jalan?", "en": "Blocking the road?"},
        "values": [
            {"key": "yes", "name": {"id": "Ya", "en": "Yes"}},
            {"key": "no", "name": {"id": "Tidak", "en": "No"}},
        ],
    }
    new = {
        "code": "trees",
        "title": {"id": "Pohon tumbang", "en": "Fallen trees"},
        "description": {"id": "Pohon tumbang menghalangi jalan.", "en": "Fallen trees blocking a road."},
        "opd_code": "DLH",
        "sla_days": 2,
        "attributes": [blocking],
    }
    assert (await client.post("/v1/complaints/categories", json=new, headers=officer)).status_code == 403
    created = await client.post("/v1/complaints/categories", json=new, headers=admin)
    assert created.status_code == 201, created.text
    assert (await client.post("/v1/complaints/categories", json=new, headers=admin)).status_code == 409
    no_choices = {**new, "code": "trees2", "attributes": [{**blocking, "values": []}]}
    refused = await client.post("/v1/complaints/categories", json=no_choices, headers=admin)
    assert [error["field"] for error in refused.json()["errors"]] == ["attributes[0].values"]
    changed = await client.patch(
        "/v1/complaints/categories/trees", json={"sla_days": 1, "opd_code": "BPBD"}, headers=admin
    )
    assert (changed.json()["sla_days"], changed.json()["opd_code"]) == (1, "BPBD")
    assert (await client.patch("/v1/complaints/categories/nope", json={}, headers=admin)).status_code == 404
    after = await client.get("/v1/complaints/categories")
    assert after.headers["etag"] != listed.headers["etag"]
    citizen = await resident(client)
    filed = await file(client, citizen, category="trees", attributes={"blocking": "yes"})
    assert filed["opd_code"] == "BPBD"
    await client.patch("/v1/complaints/categories/trees", json={"is_active": False}, headers=admin)
    gone = await client.post("/v1/complaints", json=draft(category="trees"), headers=citizen)
    assert [error["field"] for error in gone.json()["errors"]] == ["category"]
