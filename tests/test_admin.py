"""The admin API: agencies, staff accounts and the audit log, as Diskominfosatik's admins use them."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.accounts import (
    STAFF_PASSWORD,
    bearer,
    create_staff,
    full_width,
    resident_tokens,
    staff_tokens,
)

ADMIN = "admin@diskominfosatik.test"
OFFICER = "officer@dpupr.test"
SUPERVISOR = "supervisor@dpupr.test"
Headers = dict[str, str]


@pytest.fixture
async def admin(client: AsyncTestClient[Litestar], database_url: str) -> Headers:
    await create_staff(database_url, ADMIN, "admin", "DISKOMINFOSATIK")
    return bearer(await staff_tokens(client, ADMIN))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    await connection.set_type_codec("jsonb", schema="pg_catalog", encoder=json.dumps, decoder=json.loads)
    yield connection
    await connection.close()


async def staff_id_of(database: asyncpg.Connection, email: str) -> uuid.UUID:
    found: uuid.UUID = await database.fetchval("SELECT id FROM staff WHERE lower(email) = lower($1)", email)
    return found


async def audit_entries_of(database: asyncpg.Connection, response: httpx.Response) -> list[dict[str, Any]]:
    """The audit entries a request left, found by the request id the response carries."""
    rows = await database.fetch(
        "SELECT actor_kind, actor_id, action, object_type, object_id, details FROM audit_log WHERE request_id = $1",
        response.headers["x-request-id"],
    )
    return [dict(row) for row in rows]


async def only_audit_entry(database: asyncpg.Connection, response: httpx.Response) -> dict[str, Any]:
    entries = await audit_entries_of(database, response)
    assert len(entries) == 1, entries
    return entries[0]


async def walk_pages(
    client: AsyncTestClient[Litestar], path: str, headers: Headers, *, limit: int
) -> tuple[list[Any], int]:
    """Follow `next_cursor` to the end; return every item's id in order, and how many pages it took."""
    seen: list[Any] = []
    params: dict[str, Any] = {"limit": limit}
    pages = 0
    while True:
        response = await client.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        assert "password" not in response.text
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        if body["next_cursor"] is None:
            return seen, pages
        params["cursor"] = body["next_cursor"]


def new_staff(email: str, role: str = "officer", opd_code: str | None = "DPUPR", **extra: Any) -> dict[str, Any]:
    body = {"email": email, "name": "Rina Wulandari", "role": role, "opd_code": opd_code, "password": STAFF_PASSWORD}
    return body | extra


# --- agencies -------------------------------------------------------------------------------------


async def test_an_admin_adds_renames_and_closes_an_agency(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection
) -> None:
    admin_id = await staff_id_of(database, ADMIN)
    created = await client.post(
        "/v1/admin/opds",
        headers={**admin, "X-Request-ID": "admin-console-0001"},
        json={"code": "BAPENDA", "short_name": "Bapenda", "name": "Badan Pendapatan"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == "admin-console-0001"  # the console's own id, kept
    assert created.json()["is_active"] is True
    assert await only_audit_entry(database, created) == {
        "actor_kind": "staff",
        "actor_id": admin_id,
        "action": "opd.created",
        "object_type": "opd",
        "object_id": "BAPENDA",
        "details": {},
    }

    listed = (await client.get("/v1/admin/opds", headers=admin)).json()["items"]
    codes = [opd["code"] for opd in listed]
    assert "BAPENDA" in codes
    assert codes == sorted(codes)

    changed = await client.patch(
        "/v1/admin/opds/BAPENDA", headers=admin, json={"name": " Badan Pendapatan Daerah ", "is_active": False}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**created.json(), "name": "Badan Pendapatan Daerah", "is_active": False}
    entry = await only_audit_entry(database, changed)
    assert (entry["action"], entry["object_id"]) == ("opd.changed", "BAPENDA")
    assert entry["details"] == {"fields": ["is_active", "name"]}

    # Sending what is already there changes nothing, so nothing is recorded.
    unchanged = await client.patch("/v1/admin/opds/BAPENDA", headers=admin, json={"short_name": "Bapenda"})
    assert unchanged.status_code == 200
    assert await audit_entries_of(database, unchanged) == []


async def test_agency_conflicts_and_unknown_codes(client: AsyncTestClient[Litestar], admin: Headers) -> None:
    duplicate = await client.post(
        "/v1/admin/opds", headers=admin, json={"code": "DPUPR", "short_name": "PU", "name": "Pekerjaan Umum"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "opd_exists"
    assert duplicate.json()["detail"] == "Kode OPD DPUPR sudah dipakai."
    # msgspec's pattern check (Python's `$`) lets a final newline through; it is not stored.
    trailing = await client.post(
        "/v1/admin/opds", headers=admin, json={"code": "BAPENDA\n", "short_name": "Bapenda", "name": "Bapenda"}
    )
    assert trailing.status_code == 201, trailing.text
    assert trailing.json()["code"] == "BAPENDA"
    for code in ("NOPE", "dpupr", "DPUPR%00"):
        unknown = await client.patch(f"/v1/admin/opds/{code}", headers=admin, json={"name": "Tidak Ada"})
        assert unknown.status_code == 404, (code, unknown.text)
    # Admins belong to Diskominfosatik: closing it would leave them without an agency.
    protected = await client.patch("/v1/admin/opds/DISKOMINFOSATIK", headers=admin, json={"is_active": False})
    assert protected.status_code == 409
    assert protected.json()["code"] == "admin_opd_protected"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "bapenda", "short_name": "Bapenda", "name": "Badan Pendapatan"}, "code"),
        ({"code": "B", "short_name": "Bapenda", "name": "Badan Pendapatan"}, "code"),
        ({"code": "BAPENDA", "short_name": "   ", "name": "Badan Pendapatan"}, "short_name"),
        ({"code": "BAPENDA", "short_name": "Bapenda"}, "name"),
        ({"code": "BAPENDA", "short_name": "Bapenda", "name": "Badan", "is_active": True}, "is_active"),
        ({"code": "BAPENDA", "short_name": "Bapenda", "name": "Badan\x00Pendapatan"}, "name"),
        ({"code": "BAPENDA", "short_name": "Ba\npenda", "name": "Badan Pendapatan"}, "short_name"),
    ],
)
async def test_invalid_agencies_are_refused_with_422(
    client: AsyncTestClient[Litestar], admin: Headers, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/admin/opds", headers=admin, json=body)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


# --- staff accounts -------------------------------------------------------------------------------


async def test_an_admin_creates_a_staff_account_that_can_sign_in(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection
) -> None:
    created = await client.post("/v1/admin/staff", headers=admin, json=new_staff("Rina@DPUPR.test"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "email", "name", "role", "opd_code", "is_agency_head", "is_active", "created_at"}
    assert (body["email"], body["role"], body["opd_code"], body["is_active"]) == (
        "rina@dpupr.test",
        "officer",
        "DPUPR",
        True,
    )
    assert "argon2" not in created.text
    assert STAFF_PASSWORD not in created.text
    stored = await database.fetchval("SELECT password_hash FROM staff WHERE id = $1", uuid.UUID(body["id"]))
    assert stored.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(stored)  # argon2-cffi's recommended costs

    entry = await only_audit_entry(database, created)
    assert entry["action"] == "staff.created"
    assert entry["actor_id"] == await staff_id_of(database, ADMIN)
    assert entry["object_id"] == body["id"]
    assert entry["details"] == {"role": "officer", "opd_code": "DPUPR"}  # no name, e-mail or password

    officer = bearer(await staff_tokens(client, "rina@dpupr.test"))
    assert (await client.get("/v1/admin/opds", headers=officer)).status_code == 200


async def test_admins_always_belong_to_diskominfosatik(client: AsyncTestClient[Litestar], admin: Headers) -> None:
    created = await client.post(
        "/v1/admin/staff", headers=admin, json=new_staff("second.admin@diskominfosatik.test", "admin", "DPUPR")
    )
    assert created.status_code == 201, created.text
    assert created.json()["opd_code"] == "DISKOMINFOSATIK"
    without = await client.post(
        "/v1/admin/staff", headers=admin, json=new_staff("third.admin@diskominfosatik.test", "admin", None)
    )
    assert without.json()["opd_code"] == "DISKOMINFOSATIK"


async def test_an_e_mail_address_has_one_account_whatever_its_case(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection
) -> None:
    assert (await client.post("/v1/admin/staff", headers=admin, json=new_staff(OFFICER))).status_code == 201
    again = await client.post(
        "/v1/admin/staff", headers={**admin, "Accept-Language": "en"}, json=new_staff(OFFICER.upper(), "supervisor")
    )
    assert again.status_code == 409
    assert again.json()["code"] == "staff_exists"
    assert again.json()["detail"] == "A staff account with this e-mail address already exists."
    assert await audit_entries_of(database, again) == []


async def test_an_e_mail_address_has_one_account_whatever_its_unicode_spelling(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection
) -> None:
    created = await client.post("/v1/admin/staff", headers=admin, json=new_staff("Rina.Ks@DPUPR.test"))
    assert created.json()["email"] == "rina.ks@dpupr.test"
    # Full-width letters, the Kelvin sign, the long s, a trailing newline: the same address.
    for spelling in [
        full_width("rina.ks") + "@dpupr.test",
        "rina.\N{KELVIN SIGN}s@dpupr.test",
        "rina.k\N{LATIN SMALL LETTER LONG S}@dpupr.test",
        "rina.ks@dpupr.test\n",
    ]:
        again = await client.post("/v1/admin/staff", headers=admin, json=new_staff(spelling))
        assert (again.status_code, again.json().get("code")) == (409, "staff_exists"), spelling
    # Addresses that are not ASCII once canonical are not staff addresses at all (staff/emails.py).
    for other in [
        "r\N{LATIN CAPITAL LETTER I WITH DOT ABOVE}na.ks@dpupr.test",
        "r\N{LATIN SMALL LETTER I WITH ACUTE}na.ks@dpupr.test",
        "rina\N{FULLWIDTH COMMERCIAL AT}ks@dpupr.test",
    ]:
        refused = await client.post("/v1/admin/staff", headers=admin, json=new_staff(other))
        assert refused.status_code == 422, other
        assert [error["field"] for error in refused.json()["errors"]] == ["email"]
    assert await database.fetchval("SELECT count(*) FROM staff WHERE email LIKE 'r%'") == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new_staff(OFFICER, password="too-short"), "password"),
        (new_staff("not-an-address"), "email"),
        (new_staff(OFFICER, "root"), "role"),
        (new_staff(OFFICER, opd_code=None), "opd_code"),
        (new_staff(OFFICER, opd_code="NOPE"), "opd_code"),
        (new_staff(OFFICER, opd_code="dpupr"), "opd_code"),
        (new_staff(OFFICER, name=" "), "name"),
        (new_staff(OFFICER, name="Rina\x00"), "name"),  # PostgreSQL text cannot hold NUL: 422, not 500
        (new_staff("rina\x00@dpupr.test"), "email"),
        (new_staff(OFFICER, is_active=False), "is_active"),
        ({"email": OFFICER, "name": "Rina", "role": "officer", "opd_code": "DPUPR"}, "password"),
    ],
)
async def test_invalid_staff_accounts_are_refused_with_422(
    client: AsyncTestClient[Litestar], admin: Headers, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/admin/staff", headers=admin, json=body)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_a_closed_agency_takes_no_new_staff(client: AsyncTestClient[Litestar], admin: Headers) -> None:
    await client.patch("/v1/admin/opds/DISTAN", headers=admin, json={"is_active": False})
    refused = await client.post("/v1/admin/staff", headers=admin, json=new_staff(OFFICER, opd_code="DISTAN"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "opd_code"


async def test_the_staff_list_pages_through_every_account_once(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection, database_url: str
) -> None:
    for n in range(24):
        await create_staff(database_url, f"staff{n:02}@dinsos.test", "officer" if n % 3 else "supervisor", "DINSOS")
    # Equal creation times must not make the cursor skip or repeat anyone: ties are broken by id.
    await database.execute("UPDATE staff SET created_at = '2026-11-01T08:00:00+07' WHERE email LIKE 'staff1%'")
    expected = [
        row["id"]
        for row in await database.fetch("SELECT id FROM staff ORDER BY created_at DESC, id DESC")  # newest first
    ]
    assert len(expected) == 25  # with the admin

    seen, pages = await walk_pages(client, "/v1/admin/staff", admin, limit=7)
    assert pages == 4
    assert seen == [str(staff_id) for staff_id in expected]

    async def emails(**params: Any) -> set[str]:
        response = await client.get("/v1/admin/staff", headers=admin, params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return {item["email"] for item in response.json()["items"]}

    assert await emails(opd_code="DISKOMINFOSATIK") == {ADMIN}
    assert len(await emails(opd_code="DINSOS")) == 24
    assert len(await emails(role="supervisor")) == 8
    await database.execute("UPDATE staff SET is_active = false WHERE email = 'staff05@dinsos.test'")
    assert await emails(active="false") == {"staff05@dinsos.test"}
    assert len(await emails(active="true", opd_code="DINSOS", role="officer")) == 15


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"cursor": "!!"}, "cursor"),
        ({"role": "root"}, "role"),
        ({"opd_code": "dpupr"}, "opd_code"),
    ],
)
async def test_wrong_list_parameters_answer_422(
    client: AsyncTestClient[Litestar], admin: Headers, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/v1/admin/staff", headers=admin, params=params)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_a_disabled_account_is_signed_out_at_once(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection, database_url: str
) -> None:
    officer_id = await create_staff(database_url, OFFICER, "officer")
    tokens = await staff_tokens(client, OFFICER)
    assert (await client.get("/v1/admin/opds", headers=bearer(tokens))).status_code == 200

    disabled = await client.patch(f"/v1/admin/staff/{officer_id}", headers=admin, json={"is_active": False})
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["is_active"] is False
    entry = await only_audit_entry(database, disabled)
    assert (entry["action"], entry["object_id"], entry["details"]) == (
        "staff.changed",
        str(officer_id),
        {"fields": ["is_active"]},
    )

    assert (await client.get("/v1/admin/opds", headers=bearer(tokens))).status_code == 401
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    signed_in = await client.post("/v1/staff/auth/login", json={"email": OFFICER, "password": STAFF_PASSWORD})
    assert signed_in.status_code == 401

    enabled = await client.patch(f"/v1/admin/staff/{officer_id}", headers=admin, json={"is_active": True})
    assert enabled.json()["is_active"] is True
    await staff_tokens(client, OFFICER)


async def test_role_and_agency_changes_apply_to_the_next_request(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection, database_url: str
) -> None:
    officer_id = await create_staff(database_url, OFFICER, "officer")
    officer = bearer(await staff_tokens(client, OFFICER))
    moved = await client.patch(
        f"/v1/admin/staff/{officer_id}",
        headers=admin,
        json={"role": "supervisor", "opd_code": "DINSOS", "name": "Rina Wulandari"},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["role"], moved.json()["opd_code"]) == ("supervisor", "DINSOS")
    assert (await only_audit_entry(database, moved))["details"] == {"fields": ["name", "opd_code", "role"]}
    assert (await client.get("/v1/admin/staff", headers=officer)).status_code == 403

    promoted = await client.patch(f"/v1/admin/staff/{officer_id}", headers=admin, json={"role": "admin"})
    assert promoted.json()["opd_code"] == "DISKOMINFOSATIK"
    assert (await client.get("/v1/admin/staff", headers=officer)).status_code == 200  # the same token

    closed = await client.patch(
        f"/v1/admin/staff/{officer_id}", headers=admin, json={"role": "officer", "opd_code": "NOPE"}
    )
    assert closed.status_code == 422
    assert closed.json()["errors"][0]["field"] == "opd_code"


async def test_unknown_staff_ids_answer_404(client: AsyncTestClient[Litestar], admin: Headers) -> None:
    unknown = await client.patch(f"/v1/admin/staff/{uuid.uuid4()}", headers=admin, json={"name": "Siapa"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    malformed = await client.patch("/v1/admin/staff/not-a-uuid", headers=admin, json={"name": "Siapa"})
    assert malformed.status_code == 404


async def test_an_admin_cannot_disable_or_demote_themself(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection, database_url: str
) -> None:
    admin_id = await staff_id_of(database, ADMIN)
    disable = await client.patch(f"/v1/admin/staff/{admin_id}", headers=admin, json={"is_active": False})
    assert disable.status_code == 409
    assert disable.json()["code"] == "cannot_disable_self"
    demote = await client.patch(
        f"/v1/admin/staff/{admin_id}", headers=admin, json={"role": "supervisor", "opd_code": "DPUPR"}
    )
    assert demote.status_code == 409
    assert demote.json()["code"] == "cannot_demote_self"
    assert await audit_entries_of(database, demote) == []
    # Another admin may.
    await create_staff(database_url, "other.admin@diskominfosatik.test", "admin", "DISKOMINFOSATIK")
    other = bearer(await staff_tokens(client, "other.admin@diskominfosatik.test"))
    demoted = await client.patch(
        f"/v1/admin/staff/{admin_id}", headers=other, json={"role": "supervisor", "opd_code": "DPUPR"}
    )
    assert demoted.status_code == 200, demoted.text
    assert (await client.get("/v1/admin/staff", headers=admin)).status_code == 403


# --- who may call what ----------------------------------------------------------------------------

ADMIN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/admin/opds", {"code": "BAPENDA", "short_name": "Bapenda", "name": "Badan Pendapatan"}),
    ("PATCH", "/v1/admin/opds/DPUPR", {"name": "Dinas PU"}),
    ("GET", "/v1/admin/staff", None),
    ("POST", "/v1/admin/staff", new_staff("new@dpupr.test")),
    ("PATCH", f"/v1/admin/staff/{uuid.UUID(int=1)}", {"is_active": False}),
    ("GET", "/v1/admin/audit", None),
]
LIST_OPDS = ("GET", "/v1/admin/opds", None)


async def test_only_admins_pass_the_admin_routes(client: AsyncTestClient[Litestar], database_url: str) -> None:
    await create_staff(database_url, OFFICER, "officer")
    await create_staff(database_url, SUPERVISOR, "supervisor")
    callers = {
        "officer": bearer(await staff_tokens(client, OFFICER)),
        "supervisor": bearer(await staff_tokens(client, SUPERVISOR)),
        "resident": bearer(await resident_tokens(client, "+6281234567011")),
    }
    outcomes = {}
    for method, path, body in [*ADMIN_ROUTES, LIST_OPDS]:
        for caller, headers in {**callers, "nobody": {}}.items():
            response = await client.request(method, path, headers=headers, json=body)
            outcomes[(caller, method, path)] = response.status_code
    expected = {
        (caller, method, path): 401 if caller == "nobody" else 403
        for method, path, _ in [*ADMIN_ROUTES, LIST_OPDS]
        for caller in [*callers, "nobody"]
    }
    # Every agency's staff may read the list of agencies (to pick one when forwarding a case).
    expected[("officer", *LIST_OPDS[:2])] = expected[("supervisor", *LIST_OPDS[:2])] = 200
    assert outcomes == expected


# --- the audit log --------------------------------------------------------------------------------


async def test_the_audit_log_lists_newest_first_with_filters(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection
) -> None:
    admin_id = str(await staff_id_of(database, ADMIN))
    created = []
    for n in range(3):
        response = await client.post("/v1/admin/staff", headers=admin, json=new_staff(f"staff{n}@dinsos.test"))
        created.append(response.json()["id"])
    changed = await client.patch(f"/v1/admin/staff/{created[0]}", headers=admin, json={"name": "Nama Baru"})

    async def listed(**params: Any) -> list[dict[str, Any]]:
        response = await client.get("/v1/admin/audit", headers=admin, params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    everything = await listed(limit=100)
    ids = [entry["id"] for entry in everything]
    assert ids == sorted(ids, reverse=True)
    assert [entry["action"] for entry in everything] == [
        "staff.changed",
        "staff.created",
        "staff.created",
        "staff.created",
        "staff.sign_in",
    ]
    newest = everything[0]
    assert newest["request_id"] == changed.headers["x-request-id"]
    assert newest["actor_kind"] == "staff"
    assert newest["actor_id"] == admin_id
    assert newest["details"] == {"fields": ["name"]}

    assert [e["object_id"] for e in await listed(action="staff.created")] == created[::-1]
    assert len(await listed(object_type="staff", object_id=created[0])) == 2
    assert len(await listed(actor_kind="staff", actor_id=admin_id)) == 5
    assert await listed(actor_kind="resident") == []
    assert await listed(actor_id=str(uuid.uuid4())) == []
    # `since` includes its instant, `until` excludes it, and any offset names the same instant.
    first, last = everything[-1]["at"], everything[0]["at"]
    assert len(await listed(since=first)) == 5
    assert await listed(until=first) == []
    in_jakarta = datetime.fromisoformat(last).astimezone(timezone(timedelta(hours=7))).isoformat()
    assert "+07:00" in in_jakarta
    assert [e["id"] for e in await listed(until=in_jakarta)] == ids[1:]
    assert [e["id"] for e in await listed(since=in_jakarta)] == ids[:1]

    ids_seen, _ = await walk_pages(client, "/v1/admin/audit", admin, limit=2)
    assert ids_seen == ids


async def test_audit_filters_are_checked(client: AsyncTestClient[Litestar], admin: Headers) -> None:
    response = await client.get("/v1/admin/audit", headers=admin, params={"since": "2026-11-27T08:00:00"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["since"]
    garbage = await client.get("/v1/admin/audit", headers=admin, params={"until": "yesterday"})
    assert garbage.status_code == 422
    assert [error["field"] for error in garbage.json()["errors"]] == ["until"]
    control = await client.get("/v1/admin/audit", headers=admin, params={"action": "staff\x00created"})
    assert control.status_code == 422
    assert [error["field"] for error in control.json()["errors"]] == ["action"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_the_api_offers_no_way_to_change_the_audit_log(
    client: AsyncTestClient[Litestar], admin: Headers, method: str
) -> None:
    response = await client.request(method, "/v1/admin/audit", headers=admin, json={"action": "forged"})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


async def test_the_database_refuses_to_change_the_audit_log(
    client: AsyncTestClient[Litestar], admin: Headers, database: asyncpg.Connection
) -> None:
    assert await database.fetchval("SELECT count(*) FROM audit_log") == 1  # the admin's sign-in
    for statement in (
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await database.execute(statement)
    assert await database.fetchval("SELECT action FROM audit_log") == "staff.sign_in"
