"""The health domain: liveness, readiness and the metrics, for operators."""

from __future__ import annotations

from serang_app.declaration import CoreDomain
from serang_app.health.metrics import metrics
from serang_app.health.routes import healthz, readyz

HEALTH = CoreDomain(name="health", public_routes=(healthz, readyz, metrics))
