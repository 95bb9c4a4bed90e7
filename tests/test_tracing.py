"""OpenTelemetry tracing: off by default at no cost; on, a request's server span and the spans of
its queries reach an OTLP collector over HTTP, with technical attributes only."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from serang_app.health.span_privacy import KEPT_ATTRIBUTES
from serang_app.settings import SettingsError, load_settings
from tests.support.app_server import running_app
from tests.support.otlp_receiver import OtlpReceiver, attributes

SERVER, CLIENT = 2, 3  # the OTLP protobuf's SpanKind values
EMAIL = "rahasia.pribadi@serangkab.go.id"
PHONE = "+6281298765432"
USER_AGENT = "PonselWarga/9.9 (nomor seri ABC-123)"
WAIT_SECONDS = 30.0


@pytest.mark.e2e
def test_a_request_is_a_server_span_with_its_queries_as_children_and_no_personal_data(
    database_url: str, tmp_path: Path
) -> None:
    with OtlpReceiver() as receiver:
        environment = {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.traces_url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "serang-api-test",
        }
        with running_app(database_url, tmp_path / "server.log", **environment) as base:
            signed_in = httpx.post(
                f"{base}/v1/staff/auth/login",
                params={"phone": PHONE},
                json={"email": EMAIL, "password": "kata-sandi-yang-salah"},
                headers={"User-Agent": USER_AGENT},
                timeout=10,
            )
            assert signed_in.status_code == 401
            login = _wait_for_span(receiver, "POST /v1/staff/auth/login")
        spans = receiver.received()

    server_attributes = attributes(login)
    assert login.kind == SERVER
    assert server_attributes["http.route"] == "/v1/staff/auth/login"
    assert server_attributes["http.status_code"] == 401
    queries = [span for span in spans if span.parent_span_id == login.span_id and span.trace_id == login.trace_id]
    assert queries, "the login's query is a child of its request"
    assert {span.kind for span in queries} == {CLIENT}
    assert all(attributes(span)["db.system"] == "postgresql" for span in queries)
    assert any("$1" in attributes(span)["db.statement"] for span in queries)  # the value is a parameter

    everything = json.dumps([attributes(span) for span in spans]) + repr(spans)
    for personal in (EMAIL, PHONE, PHONE.removeprefix("+"), USER_AGENT, "kata-sandi"):
        assert personal not in everything
    for span in spans:
        assert set(attributes(span)) <= KEPT_ATTRIBUTES
    # Only requests start traces: the readiness polls are not traced, nor start-up's queries.
    assert all(span.kind == SERVER for span in spans if not span.parent_span_id)
    assert not [span for span in spans if "readyz" in span.name]


@pytest.mark.e2e
def test_tracing_is_off_by_default_and_the_sdk_is_not_loaded(database_url: str) -> None:
    probe = (
        "import sys\n"
        "from serang_app.app import create_app\n"
        "from serang_app.settings import load_settings\n"
        f"app = create_app(load_settings({{'DATABASE_URL': {database_url!r}}}))\n"
        "print(sorted(type(plugin).__name__ for plugin in app.plugins))\n"
        "print(any(name.startswith('opentelemetry.sdk') for name in sys.modules))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    plugins, sdk_loaded = ran.stdout.splitlines()[-2:]
    assert "OpenTelemetryPlugin" not in plugins
    assert sdk_loaded == "False"


@pytest.mark.parametrize("exporters", ["jaeger", "otlp,zipkin"])
def test_an_unknown_exporter_is_refused_at_start(exporters: str) -> None:
    with pytest.raises(SettingsError, match=r"^OTEL_TRACES_EXPORTER: expected otlp, console or none"):
        load_settings({"OTEL_TRACES_EXPORTER": exporters})


def test_the_exporter_names_read_from_the_standard_variable() -> None:
    assert load_settings({}).trace_exporters == ()
    assert load_settings({"OTEL_TRACES_EXPORTER": "none"}).trace_exporters == ()
    assert load_settings({"OTEL_TRACES_EXPORTER": "otlp, console"}).trace_exporters == ("otlp", "console")


def _wait_for_span(receiver: OtlpReceiver, name: str) -> Span:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [span for span in receiver.received() if span.name == name]
        if found:
            # Its query spans ended first and travel in the same or an earlier batch.
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no span {name!r} within {WAIT_SECONDS:.0f} s: {[s.name for s in receiver.received()]}")
