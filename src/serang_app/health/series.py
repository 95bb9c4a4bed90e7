"""The Prometheus series the app's processes count in memory, beside the request histogram
(http/request_middleware.py). docs/observability.md says what each one means and what to watch.

Labels hold only bounded, technical values (an outcome, an upload purpose, a refusal code, a
worker task's name): never an id, a phone number or a name, so the series stay few and carry no
personal data. Updating one is an in-memory increment (an mmap write when several processes
share PROMETHEUS_MULTIPROC_DIR); nothing here touches the database.

The series that describe the database rather than a process (queue depth, overdue cases) are
read from it when /metrics is scraped: health/database_series.py.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from serang_app.uploads.purposes import PURPOSES

# notifications/push.py's PushResult, spelled out: importing it here would load firebase-admin
# wherever the database pool is imported (tests/test_observed_metrics.py checks they agree).
PUSH_RESULTS = ("sent", "token_gone", "token_invalid", "retry", "failed")

PUSH_MESSAGES = Counter(
    "serang_push_messages_total",
    "Push messages handed to FCM, by kind (notification to a device, announcement to a topic) and FCM's answer.",
    ["kind", "outcome"],
)
PUSH_JOBS_SETTLED = Counter(
    "serang_push_jobs_settled_total",
    "Notification push jobs the worker settled: done, retry (sent again later) or dead (gave up).",
    ["result"],
)
UPLOADS_COMPLETED = Counter("serang_uploads_completed_total", "Uploads checked and kept, by purpose.", ["purpose"])
UPLOADS_REFUSED = Counter(
    "serang_uploads_refused_total",
    "Uploads refused when started or completed, by purpose and the refusal's code.",
    ["purpose", "reason"],
)
POOL_ACQUIRE_SECONDS = Histogram(
    "serang_db_pool_acquire_seconds",
    "Time to get a connection from the process's database pool; long waits mean the pool is exhausted.",
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
WORKER_TASK_RUNS = Counter(
    "serang_worker_task_runs_total", "Rounds of each background task, by result (ok or failed).", ["task", "result"]
)
WORKER_TASK_LAST_SUCCESS = Gauge(
    "serang_worker_task_last_success_timestamp_seconds",
    "When each background task last finished a round without error (Unix time).",
    ["task"],
    # Processes sharing PROMETHEUS_MULTIPROC_DIR each write their own value; the latest is the answer.
    multiprocess_mode="max",
)

# Series that exist from the start read 0 rather than missing, so rate() and the dashboard see them.
for _outcome in PUSH_RESULTS:
    PUSH_MESSAGES.labels("notification", _outcome)
    PUSH_MESSAGES.labels("announcement", _outcome)
for _result in ("done", "retry", "dead"):
    PUSH_JOBS_SETTLED.labels(_result)
for _purpose in PURPOSES:
    UPLOADS_COMPLETED.labels(_purpose)
