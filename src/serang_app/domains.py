"""The core's domains, in one list: adding a core domain is adding its declaration here.

app.py mounts their routes and registers their permissions, templates and problem texts beside
the enabled modules'; the worker runs their tasks beside the modules' (worker/runner.py). This
is the one place that knows every domain, so it may import each one's `domain.py`; nothing but
the composition (app.py, the worker, the problem-code registry) imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from serang_app.announcements.domain import ANNOUNCEMENTS
from serang_app.app_config.domain import APP_CONFIG
from serang_app.audit.domain import AUDIT
from serang_app.auth.domain import AUTH
from serang_app.auth.permissions import PermissionRegistry
from serang_app.bilingual import ProblemText
from serang_app.cases.domain import CASES
from serang_app.catalogue.domain import CATALOGUE
from serang_app.declaration import CoreDomain, Declaration
from serang_app.escalation.domain import ESCALATION
from serang_app.health.domain import HEALTH
from serang_app.http.domain import HTTP
from serang_app.notifications.domain import NOTIFICATIONS
from serang_app.opds.domain import OPDS
from serang_app.regions.domain import REGIONS
from serang_app.residents.domain import RESIDENTS
from serang_app.staff.domain import STAFF
from serang_app.stats.domain import STATS
from serang_app.storage.domain import storage_domain
from serang_app.uploads.domain import UPLOADS
from serang_app.uploads.purposes import UPLOADED_OBJECTS

CORE_DOMAINS: tuple[CoreDomain, ...] = (
    HEALTH,
    CATALOGUE,
    APP_CONFIG,
    STATS,
    REGIONS,
    ANNOUNCEMENTS,
    AUTH,
    STAFF,
    RESIDENTS,
    OPDS,
    AUDIT,
    CASES,
    ESCALATION,
    UPLOADS,
    NOTIFICATIONS,
    # The development storage takes what uploads send it.
    storage_domain(UPLOADED_OBJECTS),
    HTTP,
)


def core_problems(domains: Sequence[CoreDomain] = CORE_DOMAINS) -> dict[str, ProblemText]:
    """Every core domain's problem texts; two domains declaring one code is a mistake (ValueError)."""
    problems: dict[str, ProblemText] = {}
    for domain in domains:
        repeated = problems.keys() & domain.problems.keys()
        if repeated:
            raise ValueError(f"problem codes declared twice: {sorted(repeated)} (again by {domain.name})")
        problems.update(domain.problems)
    return problems


def permission_registry(modules: Iterable[Declaration[object]]) -> PermissionRegistry:
    """The core domains' permissions and the modules' (a code declared twice raises ValueError)."""
    return PermissionRegistry(
        [
            *(p for domain in CORE_DOMAINS for p in domain.permissions),
            *(p for spec in modules for p in spec.permissions),
        ]
    )


def problem_texts(modules: Iterable[Declaration[object]]) -> dict[str, ProblemText]:
    """The core domains' problem texts, then the modules' (validation keeps their codes apart
    from the core's by the slug prefix)."""
    problems = core_problems()
    for spec in modules:
        problems.update(spec.problems)
    return problems
