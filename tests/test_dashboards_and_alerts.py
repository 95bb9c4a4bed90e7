"""The Grafana dashboard and the Prometheus files in deploy/ parse, and every series they name is
one the app exposes (compared with a real scrape), so they cannot drift from the code."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families
from ruamel.yaml import YAML

from tests.conftest import app_for

DEPLOY = Path(__file__).parent.parent / "deploy"
DASHBOARD = DEPLOY / "grafana" / "serang-app.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
PROMETHEUS = DEPLOY / "prometheus" / "prometheus.yml"
SERIES = re.compile(r"\b(serang_[a-z0-9_]+)(\{[^}]*\})?")
LABEL_MATCHER = re.compile(r"([a-z_]+)\s*(?:=~|!~|!=|=)")
JOB = re.compile(r'job=~?"([^"]+)"')
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"), "gauge": ("",)}


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_yaml(ALERTS)["groups"] for rule in group["rules"]]


async def exposed_series(database_url: str) -> dict[str, set[str]]:
    """Every sample name the app exposes, with its label names: one scrape of an app whose
    in-process worker has run each task once (its series appear after a round)."""
    app = app_for(database_url, SERANG_RUN_WORKER_IN_PROCESS="true")
    async with AsyncTestClient(app) as client:
        await client.get("/v1/regions")
        for _ in range(100):
            text = (await client.get("/metrics")).text
            if 'task="sweep_overdue_cases"' in text:
                break
            await asyncio.sleep(0.1)
    series: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        # A family without samples yet (a counter never incremented) still names its samples.
        for suffix in SUFFIXES.get(family.type, ("",)):
            series.setdefault(family.name + suffix, set())
        for sample in family.samples:
            series.setdefault(sample.name, set()).update(sample.labels)
    return series


def used_series(expression: str) -> list[tuple[str, set[str]]]:
    return [(name, set(LABEL_MATCHER.findall(matchers or ""))) for name, matchers in SERIES.findall(expression)]


async def test_every_series_named_in_the_dashboard_and_alerts_is_exposed(database_url: str) -> None:
    exposed = await exposed_series(database_url)
    expressions = dashboard_expressions() + [rule["expr"] for rule in alert_rules()]
    used = [usage for expression in expressions for usage in used_series(expression)]
    assert len({name for name, _ in used}) >= 12  # the regex finds them: not vacuously true
    for name, labels in used:
        assert name in exposed, f"{name} is not exposed by the app"
        if exposed[name]:  # label names known from a sample
            assert labels <= exposed[name] | {"le"}, f"{name}: labels {labels - exposed[name]} are not exposed"
    for expected in (
        "serang_http_request_duration_seconds_bucket",
        "serang_push_queue_jobs",
        "serang_push_queue_oldest_age_seconds",
        "serang_push_messages_total",
        "serang_cases_overdue",
        "serang_uploads_refused_total",
        "serang_db_pool_acquire_seconds_bucket",
        "serang_worker_task_last_success_timestamp_seconds",
    ):
        assert any(expected in expression for expression in dashboard_expressions()), f"no panel shows {expected}"


def test_the_alert_rules_are_well_formed_and_name_the_scrape_jobs() -> None:
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= {
        "SerangApiServerErrors",
        "SerangApiSlow",
        "SerangPushQueueOld",
        "SerangWorkerDown",
        "SerangWorkerStuck",
        "SerangOverdueGrowing",
        "SerangDatabaseUnreachable",
    }
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert set(rule["annotations"]) == {"summary", "description"}, rule["alert"]
        assert all(rule["annotations"].values()), rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]
    config = load_yaml(PROMETHEUS)
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert jobs == {"serang-api", "serang-worker"}
    assert config["rule_files"] == [ALERTS.name]
    referenced = {job for rule in rules for job in JOB.findall(rule["expr"])}
    referenced |= {job for expression in dashboard_expressions() for job in JOB.findall(expression)}
    assert {part for job in referenced for part in job.split("|")} <= jobs
    for job in config["scrape_configs"]:
        assert job["authorization"]["type"] == "Bearer"  # /metrics needs the token in production


def test_the_dashboard_is_grafana_json_with_unique_panel_ids() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "serang-app"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["targets"], panel["title"]
            assert panel["datasource"]["uid"] == "${datasource}"
