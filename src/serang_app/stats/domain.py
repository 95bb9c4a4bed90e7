"""The statistics domain: public figures, the agencies' reports, and folding what is pending."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.stats.admin_routes import StatsController
from serang_app.stats.folding import fold_statistics
from serang_app.stats.public import get_public_stats
from serang_app.worker.context import WorkerContext


async def _fold_statistics(context: WorkerContext) -> None:
    await fold_statistics(context.database)


STATS = CoreDomain(
    name="stats",
    public_routes=(get_public_stats,),
    signed_in_routes=(StatsController,),
    permissions=(
        Permission(
            "stats.read",
            ("supervisor", "admin"),
            "Service statistics, IKM and the SPBE evidence (supervisors: own agency)",
        ),
    ),
    # Readers add what is pending, so this only keeps the pending tables short (stats/folding.py).
    tasks=(PeriodicTask("fold_statistics", 5, _fold_statistics),),
    problems={
        "stats_other_agency": ProblemText(
            title=Text(id="Bukan OPD Anda", en="Not your agency"),
            detail=Text(
                id="Anda hanya dapat melihat statistik OPD Anda sendiri.",
                en="You can only see your own agency's statistics.",
            ),
        ),
    },
)
