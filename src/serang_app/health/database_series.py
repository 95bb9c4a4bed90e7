"""Series read from PostgreSQL when /metrics is scraped: the push queue, overdue cases by agency,
and the database's connections.

Why from the database rather than counted by the worker: the queue and the overdue cases are
facts of the database, the same whichever process looks. Any API replica reports them, so a
dead or absent worker shows as a growing queue rather than as silence. It costs one query per
scrape (not per request), under a short timeout; when it fails, `serang_metrics_database_up` is 0
and the other series here are left out of that scrape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from serang_app.db.pool import Database

logger = structlog.get_logger("serang_app.metrics")

TIMEOUT_SECONDS = 2.0

# Overdue as the staff inbox says it (cases/sla_clock.py is_overdue): open, and past its due time
# now or at the moment its clock stopped. Every agency is listed, with 0 when none is overdue.
# Connections: this database's client sessions of the app's own role, every process's together.
_QUERY = """
SELECT
    (SELECT count(*) FROM push_jobs WHERE state = 'queued') AS queued,
    (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
       FROM push_jobs WHERE state = 'queued') AS oldest_age,
    (SELECT coalesce(extract(epoch FROM now() - min(not_before)), 0)::float8
       FROM push_jobs WHERE state = 'queued' AND not_before <= now()) AS lag,
    (SELECT coalesce(jsonb_object_agg(code, overdue), '{}'::jsonb) FROM (
        SELECT o.code, count(c.id) AS overdue FROM opds o
        LEFT JOIN cases c ON c.opd_code = o.code AND c.closed_at IS NULL AND c.due_at IS NOT NULL
                         AND coalesce(c.paused_since, now()) >= c.due_at
        GROUP BY o.code) AS by_agency) AS overdue,
    (SELECT coalesce(jsonb_object_agg(state, sessions), '{}'::jsonb) FROM (
        SELECT coalesce(state, 'unknown') AS state, count(*) AS sessions FROM pg_stat_activity
        WHERE datname = current_database() AND usename = current_user AND backend_type = 'client backend'
        GROUP BY 1) AS by_state) AS connections
"""


@dataclass(frozen=True, slots=True)
class DatabaseSnapshot:
    """What one scrape read; `up` is False when the database did not answer in time."""

    up: bool
    queued: int = 0
    oldest_age: float = 0.0
    lag: float = 0.0
    overdue: dict[str, int] = field(default_factory=dict)
    connections: dict[str, int] = field(default_factory=dict)


async def read_snapshot(database: Database) -> DatabaseSnapshot:
    try:
        async with database.acquire(wait_seconds=TIMEOUT_SECONDS) as connection:
            row = await connection.fetchrow(_QUERY, timeout=TIMEOUT_SECONDS)
    except Exception as error:  # a slow or absent database must not fail the whole scrape
        logger.warning("metrics_database_unavailable", error=type(error).__name__)
        return DatabaseSnapshot(up=False)
    assert row is not None
    return DatabaseSnapshot(
        up=True,
        queued=row["queued"],
        oldest_age=row["oldest_age"],
        lag=row["lag"],
        overdue=row["overdue"],
        connections=row["connections"],
    )


class SnapshotCollector(Collector):
    """Hands a snapshot to prometheus-client's exposition, as gauges."""

    def __init__(self, snapshot: DatabaseSnapshot) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = self._snapshot
        yield GaugeMetricFamily(
            "serang_metrics_database_up",
            "1 when this scrape could read the database-derived series, else 0.",
            value=1 if snapshot.up else 0,
        )
        if not snapshot.up:
            return
        yield GaugeMetricFamily(
            "serang_push_queue_jobs", "Notification push jobs waiting to be delivered.", value=snapshot.queued
        )
        yield GaugeMetricFamily(
            "serang_push_queue_oldest_age_seconds",
            "Age of the oldest notification push job not yet delivered (retries included); 0 when none waits.",
            value=snapshot.oldest_age,
        )
        yield GaugeMetricFamily(
            "serang_push_queue_lag_seconds",
            "How long the oldest due push job has waited for a worker; grows when no worker is running.",
            value=snapshot.lag,
        )
        overdue = GaugeMetricFamily(
            "serang_cases_overdue", "Open cases past their due time, by agency (OPD code).", labels=["agency"]
        )
        for agency, count in sorted(snapshot.overdue.items()):
            overdue.add_metric([agency], count)
        yield overdue
        connections = GaugeMetricFamily(
            "serang_db_connections",
            "The app's sessions on its database, every process's together, by state (active, idle, ...).",
            labels=["state"],
        )
        for state, count in sorted(snapshot.connections.items()):
            connections.add_metric([state], count)
        yield connections
