"""The access log: one JSON line per request from the real server, technical facts only."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from serang_app.http.access_log import AccessLog
from tests.support.app_server import running_app


async def test_lines_are_json_with_the_same_keys_as_every_other_log_line() -> None:
    writes: list[bytes] = []
    log = AccessLog(write=writes.append)
    log.request("abc123", "GET", "/v1/services", 200, 0.0012345)
    log.request("def456", "POST", "/v1/me", 422, 0.5)
    assert writes == []  # batched: written on a timer, not per line
    await asyncio.sleep(AccessLog.FLUSH_SECONDS + 0.2)
    assert len(writes) == 1
    lines = writes[0].splitlines(keepends=True)
    assert [line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines] == [True, True]
    first = json.loads(lines[0])
    assert first == {
        "event": "request",
        "request_id": "abc123",
        "method": "GET",
        "path": "/v1/services",
        "status": 200,
        "duration_ms": 1.23,
        "level": "info",
        "timestamp": first["timestamp"],
    }
    written_at = datetime.strptime(first["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - written_at) < timedelta(seconds=5)
    assert json.loads(lines[1])["status"] == 422


@pytest.mark.e2e
def test_the_server_logs_each_request_without_its_query_string(database_url: str, tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"
    with running_app(database_url, log_path, SERANG_ACCESS_LOG="true") as base:
        answered = httpx.get(
            f"{base}/v1/regions", params={"parent": "36.04"}, headers={"X-Request-ID": "probe-42"}, timeout=10
        )
        assert answered.status_code == 200
        refused = httpx.get(f"{base}/v1/me", headers={"X-Request-ID": "probe-43"}, timeout=10)
        assert refused.status_code == 401
    # Other lines (start-up, shutdown) are JSON as well: one parser reads the whole stream.
    entries = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    by_request = {entry.get("request_id"): entry for entry in entries if entry.get("event") == "request"}
    assert by_request["probe-42"]["path"] == "/v1/regions"
    assert by_request["probe-42"]["status"] == 200
    assert by_request["probe-42"]["method"] == "GET"
    assert by_request["probe-43"]["status"] == 401
    assert "36.04" not in log_path.read_text()


async def test_a_full_buffer_is_written_at_once_and_flush_writes_the_rest() -> None:
    writes: list[bytes] = []
    log = AccessLog(write=writes.append)
    count = 0
    while not writes:
        log.request(f"id-{count}", "GET", "/v1/services", 200, 0.001)
        count += 1
    assert count > 100
    log.request("last", "GET", "/v1/services", 200, 0.001)
    log.flush()
    ids = [json.loads(line)["request_id"] for chunk in writes for line in chunk.splitlines()]
    assert ids == [*(f"id-{n}" for n in range(count)), "last"]
