"""A resident's whole visit, on the real server with every log line on (debug level, access log,
the in-process worker), writes none of the personal data it carried into the logs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from tests.support.accounts import POLICY
from tests.support.app_server import running_app
from tests.support.complaints_app import pothole_report
from tests.support.uploading import photo_with_gps, upload

# Every test here starts a process (docs/testing.md).
pytestmark = pytest.mark.e2e

PHONE = "+6281355557777"
NIK = "3604055705900001"
NAME = "Siti Aminah Rahmawati"
DESCRIPTION = "Jalan berlubang besar di depan rumah Bu Siti, sudah dua minggu."
ADDRESS = "Jl. Melati No. 17, RT 03/RW 05"
PERSONAL = (PHONE, PHONE.removeprefix("+"), "081355557777", NIK, NAME, "Aminah", DESCRIPTION, "rumah Bu Siti", ADDRESS)


async def visit(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        signed_in = await client.post("/v1/auth/dev", json={"phone": PHONE, "consent_policy_version": POLICY})
        assert signed_in.status_code == 200, signed_in.text
        resident = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        # Refused first (the answer quotes the fields, the logs must not), then accepted.
        assert (await client.patch("/v1/me", json={"nik": NIK[:-1], "name": NAME}, headers=resident)).status_code == 422
        profile = await client.patch(
            "/v1/me", json={"name": NAME, "nik": NIK, "district_code": "36.04.05"}, headers=resident
        )
        assert profile.status_code == 200, profile.text
        photo_id, completed = await upload(client, resident, photo_with_gps())
        assert completed.status_code == 200, completed.text
        complaint = pothole_report(photo_id, description=DESCRIPTION, address=ADDRESS)
        too_short = await client.post("/v1/complaints", json={**complaint, "description": NAME[:5]}, headers=resident)
        assert too_short.status_code == 422
        filed = await client.post("/v1/complaints", json=complaint, headers=resident)
        assert filed.status_code == 201, filed.text
        # Personal data in a query string: the access log keeps the path without it.
        await client.get("/v1/regions", params={"q": PHONE, "name": NAME})
        # ... and in a path that is no route (a NIK where an id belongs): 404, not logged at all.
        assert (await client.get(f"/v1/complaints/{NIK}", headers=resident)).status_code == 404
        assert (await client.get("/v1/me/export", headers=resident)).status_code == 200
        await asyncio.sleep(2)  # rounds of the in-process worker over the new rows


def test_a_full_visit_leaves_no_personal_data_in_the_logs(database_url: str, tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"
    with running_app(
        database_url,
        log_path,
        SERANG_ENV="development",
        SERANG_MODULES="complaints",
        SERANG_DATA_DIR=str(tmp_path / "data"),
        SERANG_ACCESS_LOG="true",
        SERANG_LOG_LEVEL="debug",
        SERANG_RUN_WORKER_IN_PROCESS="true",
    ) as base:
        asyncio.run(visit(base))
    lines = log_path.read_text().splitlines()
    # The CLI's own notices (demo accounts) are plain text on stderr; every other line is JSON.
    entries = [json.loads(line) for line in lines if not line.startswith("serang-app: ")]
    requests = [entry for entry in entries if entry.get("event") == "request"]
    assert {"/v1/auth/dev", "/v1/me", "/v1/complaints", "/v1/regions"} <= {entry["path"] for entry in requests}
    assert any(entry.get("event") == "worker_started" for entry in entries)  # the worker's lines are here too
    text = log_path.read_text()
    for personal in PERSONAL:
        assert personal not in text, f"{personal!r} is in the logs"
