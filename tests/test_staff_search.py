"""Issue 22: staff search their inbox (`GET /v1/staff/cases?q=`) by a case's reference, by the
words a resident wrote (Indonesian full text, stemmed), by a permit application's answers and by
the resident's name misspelt (trigram), only among the cases they may see, with every inbox
filter and the inbox's keyset pages; cases written before the search get their words from the
modules' worker tasks."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from serang_app.app_state import case_engine_of
from serang_app.cases.search import MANY_MATCHES
from serang_app.db.pool import Database
from serang_app.module_system.spec import ModuleSpec, ModuleTaskContext
from serang_app.modules.complaints import complaints_module
from serang_app.modules.permits import permits_module
from tests.support.accounts import resident, signed_in_staff
from tests.support.permit_flow import attach_documents_and_submit

Client = AsyncTestClient[Litestar]
KRAMATWATU = "36.04.05"


@pytest.fixture
def modules() -> list[ModuleSpec]:
    return [complaints_module(), permits_module()]


async def file_complaint(
    client: Client, reporter: dict[str, str], description: str, *, category: str = "street_lights", **more: Any
) -> dict[str, Any]:
    body = {
        "category": category,
        "description": description,
        "latitude": -6.05,
        "longitude": 106.1,
        "district_code": KRAMATWATU,
        **more,
    }
    filed = await client.post("/v1/complaints", json=body, headers=reporter)
    assert filed.status_code == 201, filed.text
    complaint: dict[str, Any] = filed.json()
    return complaint


async def search(client: Client, staff: dict[str, str], q: str, **filters: Any) -> list[str]:
    """The ids of the cases the search finds, first page."""
    found = await client.get("/v1/staff/cases", params={"q": q, **filters}, headers=staff)
    assert found.status_code == 200, found.text
    return [item["id"] for item in found.json()["items"]]


async def business_application(client: Client, applicant: dict[str, str], business_name: str) -> dict[str, Any]:
    created = await client.post(
        "/v1/permits/applications", json={"type_code": "business_certificate"}, headers=applicant
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    answered = await client.patch(
        f"/v1/permits/applications/{application_id}",
        json={"answers": {"business_name": business_name, "business_kind": "trade"}},
        headers=applicant,
    )
    assert answered.status_code == 200, answered.text
    return await attach_documents_and_submit(client, applicant, application_id, ("id_card", "family_card"))


async def test_an_officer_finds_a_complaint_by_its_reference_and_by_a_word_the_resident_wrote(
    client: Client, database_url: str
) -> None:
    flooded = await file_complaint(client, await resident(client), "Jalanan berlubang dan banjir di depan pasar.")
    other = await file_complaint(client, await resident(client), "Lampu jalan mati di gang masjid.")
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")

    reference = flooded["reference"]
    assert await search(client, officer, reference) == [flooded["case_id"]]
    assert await search(client, officer, f"  {reference.lower()} ") == [flooded["case_id"]]
    # Part of a reference finds every case whose reference holds it.
    assert flooded["case_id"] in await search(client, officer, reference.split("-", 1)[1])
    # Stemmed: the resident wrote "berlubang" and "jalanan".
    assert await search(client, officer, "lubang") == [flooded["case_id"]]
    assert await search(client, officer, "banjir") == [flooded["case_id"]]
    assert set(await search(client, officer, "Jalan")) == {flooded["case_id"], other["case_id"]}
    assert await search(client, officer, '"lampu jalan"') == [other["case_id"]]
    assert await search(client, officer, "jalan -banjir") == [other["case_id"]]
    assert await search(client, officer, "sampah") == []
    # The other complaint is still in the inbox without q.
    unfiltered = await client.get("/v1/staff/cases", headers=officer)
    assert {item["id"] for item in unfiltered.json()["items"]} == {flooded["case_id"], other["case_id"]}


async def test_an_exact_reference_finds_the_case_whatever_its_words_in_any_module(
    client: Client, database_url: str
) -> None:
    application = await business_application(client, await resident(client), "Toko Sembako Berkah")
    complaint = await file_complaint(client, await resident(client), "Lampu jalan mati.")
    admin = await signed_in_staff(client, database_url, "admin", None)
    assert application["reference"].startswith("IZN-")
    assert await search(client, admin, application["reference"]) == [application["case_id"]]
    assert await search(client, admin, complaint["reference"]) == [complaint["case_id"]]
    # A reference that does not exist finds nothing, not a part-match of another.
    assert await search(client, admin, "ADU-0001-999999") == []


async def test_a_permit_application_is_found_by_its_answers_and_again_after_a_revision(
    client: Client, database_url: str
) -> None:
    applicant = await resident(client)
    application = await business_application(client, applicant, "Bengkel Las Sejahtera")
    case_id = application["case_id"]
    officer = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    assert await search(client, officer, "bengkel") == [case_id]
    # The kind of business is a chosen code, not words the applicant wrote.
    assert await search(client, officer, "trade") == []

    started = await client.post(f"/v1/cases/{case_id}/actions/start_review", headers={**officer, "If-Match": "*"})
    assert started.status_code == 200, started.text
    revision = await client.post(
        f"/v1/permits/applications/{application['id']}/revision",
        json={"note": "Nama usaha harus sama dengan papan nama.", "fields": ["business_name"]},
        headers=officer,
    )
    assert revision.status_code == 200, revision.text
    fixed = await client.patch(
        f"/v1/permits/applications/{application['id']}",
        json={"answers": {"business_name": "Toko Kelontong Makmur"}},
        headers=applicant,
    )
    assert fixed.status_code == 200, fixed.text
    assert await search(client, officer, "kelontong") == [case_id]
    assert await search(client, officer, "bengkel") == []


async def test_a_resident_is_found_by_a_misspelt_name_unless_they_filed_anonymously(
    client: Client, database_url: str
) -> None:
    siti = await resident(client, "Siti Nurhaliza")
    named = await file_complaint(client, siti, "Lampu jalan mati sejak minggu lalu.")
    anonymous = await file_complaint(client, siti, "Tiang lampu miring hampir roboh.", anonymous=True)
    await file_complaint(client, await resident(client, "Budi Santoso"), "Lampu berkedip terus.")
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")

    for misspelt in ("Nurhalisa", "siti nurhaliza", "Sity Nurhaliza"):
        found = await client.get("/v1/staff/cases", params={"q": misspelt}, headers=officer)
        assert [item["id"] for item in found.json()["items"]] == [named["case_id"]], misspelt
        # The name finds the case; the answer never shows it.
        assert "Nurhaliza" not in found.text
    # The anonymous complaint is found by its words, never by its reporter's name.
    assert await search(client, officer, "roboh") == [anonymous["case_id"]]
    assert await search(client, officer, "Zzyzx Qwerty") == []


async def test_staff_never_find_another_agencys_case_and_admins_find_all(client: Client, database_url: str) -> None:
    complaint = await file_complaint(client, await resident(client, "Ahmad Fauzi"), "Banjir setinggi lutut di gang.")
    application = await business_application(client, await resident(client), "Warung Banjir Bandang")
    dpupr = await signed_in_staff(client, database_url, "officer", "DPUPR")
    for q in (complaint["reference"], application["reference"], "banjir", "Ahmad Fauzi"):
        assert await search(client, dpupr, q) == [], q
    dpupr_supervisor = await signed_in_staff(client, database_url, "supervisor", "DPUPR")
    assert await search(client, dpupr_supervisor, "banjir") == []
    # An officer asking for another agency still sees only their own.
    assert await search(client, dpupr, "banjir", opd="DISHUB") == []

    admin = await signed_in_staff(client, database_url, "admin", None)
    assert set(await search(client, admin, "banjir")) == {complaint["case_id"], application["case_id"]}
    assert await search(client, admin, "banjir", opd="DISHUB") == [complaint["case_id"]]
    assert await search(client, admin, "banjir", module="permits") == [application["case_id"]]


async def test_the_inbox_filters_combine_with_the_search(client: Client, database_url: str) -> None:
    taken = await file_complaint(client, await resident(client), "Banjir di perumahan, lampu padam.")
    waiting = await file_complaint(client, await resident(client), "Banjir lagi, lampu jalan mati.")
    await file_complaint(client, await resident(client), "Lampu taman mati.")
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    me = (await client.get("/v1/staff/me", headers=officer)).json()
    assigned = await client.post(
        f"/v1/staff/cases/{taken['case_id']}/assign", json={"assignee_id": me["id"]}, headers=officer
    )
    assert assigned.status_code == 200, assigned.text

    assert set(await search(client, officer, "banjir")) == {taken["case_id"], waiting["case_id"]}
    assert await search(client, officer, "banjir", assignee="none") == [waiting["case_id"]]
    assert await search(client, officer, "banjir", assignee=me["id"]) == [taken["case_id"]]
    assert await search(client, officer, "banjir", module="permits") == []
    both = {taken["case_id"], waiting["case_id"]}
    assert set(await search(client, officer, "banjir", status="submitted", district=KRAMATWATU)) == both
    assert await search(client, officer, "banjir", district="36.04.01") == []
    assert await search(client, officer, "banjir", phase="completed") == []

    # A closed case leaves the inbox's default, and comes back with include_closed.
    verified = await client.post(f"/v1/cases/{taken['case_id']}/actions/verify", headers={**officer, "If-Match": "*"})
    assert verified.status_code == 200, verified.text
    resolved = await client.post(
        f"/v1/cases/{taken['case_id']}/actions/resolve",
        json={"note": "Sudah diperbaiki."},
        headers={**officer, "If-Match": "*"},
    )
    assert resolved.status_code == 200, resolved.text
    assert await search(client, officer, "banjir") == [waiting["case_id"]]
    assert set(await search(client, officer, "banjir", include_closed="true")) == both
    assert await search(client, officer, taken["reference"]) == []
    assert await search(client, officer, taken["reference"], include_closed="true") == [taken["case_id"]]
    assert await search(client, officer, "banjir", phase="completed") == [taken["case_id"]]


async def test_a_search_pages_through_the_inbox_order(client: Client, database_url: str) -> None:
    reporter = await resident(client)
    filed = [await file_complaint(client, reporter, f"Genangan banjir nomor {n} di jalan desa.") for n in range(5)]
    await file_complaint(client, reporter, "Lampu jalan mati.")
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    everything = await search(client, officer, "banjir", limit=100)
    assert set(everything) == {complaint["case_id"] for complaint in filed}

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"q": "banjir", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/v1/staff/cases", params=params, headers=officer)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["items"]]
        pages += 1
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    # The same cases in the same order as one long page: the inbox's own keyset order.
    assert seen == everything


@pytest.mark.parametrize(
    ("q", "status"),
    [
        pytest.param("", 422, id="empty"),
        pytest.param("   ", 422, id="spaces"),
        pytest.param("a" * 1000, 422, id="1000-characters"),
        pytest.param("a" * 201, 422, id="201-characters"),
        pytest.param("jalan\x01rusak", 422, id="control-character"),
        pytest.param("jalan\nrusak", 422, id="line-break"),
        pytest.param("\u202ebanjir", 422, id="direction-override"),
        pytest.param("!!!", 200, id="only-punctuation"),
        pytest.param("&|!:*()<>", 200, id="tsquery-operators"),
        pytest.param('"jalan rusak', 200, id="unbalanced-quote"),
        pytest.param('""', 200, id="empty-phrase"),
        pytest.param("-", 200, id="lone-minus"),
        pytest.param("- or -", 200, id="operators-only"),
        pytest.param("-jalan", 200, id="only-excluding"),
        pytest.param("sekolah or -jalan", 200, id="excluding-or-word"),
        pytest.param("'; DROP TABLE cases; --", 200, id="sql"),
        pytest.param("%_%\\", 200, id="like-wildcards"),
        pytest.param("----0000----", 200, id="reference-dashes"),
        pytest.param("😀" * 50, 200, id="emoji"),
        pytest.param("a" * 200, 200, id="200-characters"),
    ],
)
async def test_no_search_text_is_a_server_error(client: Client, database_url: str, q: str, status: int) -> None:
    complaint = await file_complaint(client, await resident(client), "Jalan rusak di depan sekolah.")
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    found = await client.get("/v1/staff/cases", params={"q": q}, headers=officer)
    assert found.status_code == status, found.text
    if status == 422:
        assert [error["field"] for error in found.json()["errors"]] == ["q"], found.text
    elif q == '"jalan rusak':
        assert [item["id"] for item in found.json()["items"]] == [complaint["case_id"]]
    else:
        assert found.json()["items"] == []


async def test_residents_may_not_search_the_inbox(client: Client) -> None:
    citizen = await resident(client)
    assert (await client.get("/v1/staff/cases", params={"q": "banjir"}, headers=citizen)).status_code == 403


async def test_cases_written_before_the_search_are_indexed_by_the_modules_worker_tasks(
    client: Client, database_url: str, db: asyncpg.Connection, app_database: Database, modules: list[ModuleSpec]
) -> None:
    siti = await resident(client, "Siti Nurhaliza")
    named = await file_complaint(client, siti, "Pohon tumbang menutup jalan desa.")
    anonymous = await file_complaint(client, siti, "Kabel listrik putus dekat pohon.", anonymous=True)
    application = await business_application(client, await resident(client), "Bengkel Motor Jaya")
    # As they were before this release: no words indexed.
    await db.execute("DELETE FROM case_search")
    dishub = await signed_in_staff(client, database_url, "officer", "DISHUB")
    dpmptsp = await signed_in_staff(client, database_url, "officer", "DPMPTSP")
    assert await search(client, dishub, "pohon") == []
    assert await search(client, dishub, "Nurhalisa") == []
    assert await search(client, dpmptsp, "bengkel") == []
    # The reference finds them meanwhile.
    assert await search(client, dishub, named["reference"]) == [named["case_id"]]

    context = ModuleTaskContext(database=app_database, cases=case_engine_of(client.app.state))
    tasks = {f"{spec.slug}.{task.name}": task for spec in modules for task in spec.tasks}
    assert {"complaints.index_words", "permits.index_words"} <= set(tasks)
    for name in ("complaints.index_words", "permits.index_words"):
        await tasks[name].run(context)

    assert set(await search(client, dishub, "pohon")) == {named["case_id"], anonymous["case_id"]}
    assert await search(client, dishub, "Nurhalisa") == [named["case_id"]]
    assert await search(client, dpmptsp, "bengkel") == [application["case_id"]]
    assert await db.fetchval("SELECT count(*) FROM case_search") == 3
    # Done: a later round finds nothing to do, and changes nothing.
    indexed_at = await db.fetchval("SELECT max(indexed_at) FROM case_search")
    for name in ("complaints.index_words", "permits.index_words"):
        await tasks[name].run(context)
    assert await db.fetchval("SELECT max(indexed_at) FROM case_search") == indexed_at


async def test_a_word_matching_many_cases_walks_the_inbox_and_still_finds_only_the_agencys(
    client: Client, database_url: str, db: asyncpg.Connection
) -> None:
    """From MANY_MATCHES matches the search tests each case of the inbox in its order instead of
    building the set of matches: the same answers, pages included."""
    mine = [await file_complaint(client, await resident(client), f"Banjir di gang {n}.") for n in range(3)]
    other = await file_complaint(client, await resident(client), "Banjir juga, tapi lampu jalan.", category="other")
    # Thousands of other agencies' cases with the same word, as a busy regency would have.
    await db.execute(
        """WITH made AS (
               INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase)
               SELECT 'ADU-0001-' || to_char(g, 'FM000000'), 'complaints', 'complaint', 'complaints.report',
                      (SELECT resident_id FROM cases WHERE id = $1), 'DLH', 'submitted', 'submitted'
               FROM generate_series(1, $2) AS g
               RETURNING id
           )
           INSERT INTO case_search (case_id, words, resident_findable)
           SELECT id, to_tsvector('indonesian', 'sampah dan banjir'), true FROM made""",
        uuid.UUID(other["case_id"]),
        MANY_MATCHES,
    )
    matches = "SELECT count(*) FROM case_search WHERE words @@ to_tsquery('indonesian', 'banjir')"
    assert await db.fetchval(matches) > MANY_MATCHES
    officer = await signed_in_staff(client, database_url, "officer", "DISHUB")
    assert set(await search(client, officer, "banjir")) == {complaint["case_id"] for complaint in mine}
    first = await client.get("/v1/staff/cases", params={"q": "banjir", "limit": 2}, headers=officer)
    rest = await client.get(
        "/v1/staff/cases", params={"q": "banjir", "limit": 2, "cursor": first.json()["next_cursor"]}, headers=officer
    )
    assert rest.json()["next_cursor"] is None
    paged = [item["id"] for item in first.json()["items"] + rest.json()["items"]]
    assert paged == await search(client, officer, "banjir")
    # The reference of one of them still finds it alone, and the name search walks too.
    assert await search(client, officer, mine[0]["reference"]) == [mine[0]["case_id"]]
    admin = await signed_in_staff(client, database_url, "admin", None)
    assert other["case_id"] in await search(client, admin, "banjir", opd="DISKOMINFOSATIK")
    assert len(await search(client, admin, "banjir", opd="DLH", limit=100)) == 100
