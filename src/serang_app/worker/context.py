"""What the core's periodic tasks receive (declared in the domains' `domain.py`, run by runner.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from serang_app.cases.engine import CaseEngine
    from serang_app.db.pool import Database
    from serang_app.notifications.delivery import Delivery
    from serang_app.storage.backend import Storage


@dataclass(frozen=True, slots=True)
class WorkerContext:
    """What tasks work with: the database, the upload storage, and push delivery."""

    database: Database
    storage: Storage
    delivery: Delivery | None = None
    # The enabled modules' workflows, for the transitions the core takes by itself.
    cases: CaseEngine | None = None
