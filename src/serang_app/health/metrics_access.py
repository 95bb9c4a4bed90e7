"""Who may read the metrics, the API's GET /metrics and the worker's metrics port alike.

The numbers describe the service's traffic and internals, so production serves them only to a
caller presenting SERANG_METRICS_TOKEN as a bearer token (Prometheus' `authorization` setting),
and not at all (404) when no token is configured. Development serves them to anyone unless a
token is set.
"""

from __future__ import annotations

import hmac

from serang_app.settings import Settings


def metrics_refusal(settings: Settings, authorization: str) -> int | None:
    """The HTTP status refusing this Authorization header, or None when it may read the metrics."""
    token = settings.metrics_token
    if token is None:
        return 404 if settings.is_production else None
    scheme, _, presented = authorization.partition(" ")
    # compare_digest takes as long for a near miss as for a far one, so timing does not reveal
    # how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
        return 401
    return None
