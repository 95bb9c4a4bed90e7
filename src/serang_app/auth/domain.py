"""The auth domain: residents' sign-in, refresh and sign-out, and forgetting old revocations."""

from __future__ import annotations

import structlog

from serang_app.auth.revoked_sessions import delete_old_revocations
from serang_app.auth.routes import dev_sign_in, firebase_sign_in, logout, refresh
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.worker.context import WorkerContext

logger = structlog.get_logger("serang_app.worker")


async def _delete_old_revocations(context: WorkerContext) -> None:
    deleted = await delete_old_revocations(context.database)
    if deleted:
        logger.info("session_revocations_deleted", count=deleted)


AUTH = CoreDomain(
    name="auth",
    public_routes=(dev_sign_in, firebase_sign_in, refresh, logout),
    # Revocations outlive every access token they stop by up to this long; old ones are never read.
    tasks=(PeriodicTask("delete_old_session_revocations", 15 * 60, _delete_old_revocations),),
    problems={
        "consent_outdated": ProblemText(
            title=Text(id="Kebijakan privasi telah diperbarui", en="The privacy policy has been updated"),
            detail=Text(
                id="Setujui kebijakan privasi versi {current} untuk masuk. Perbarui aplikasi bila versi ini belum tampil.",
                en="Agree to the privacy policy version {current} to sign in. Update the app if it does not show "
                "this version yet.",
            ),
        ),
        "firebase_not_configured": ProblemText(
            title=Text(id="Masuk dengan Firebase belum tersedia", en="Firebase sign-in not configured"),
            detail=Text(
                id="Layanan masuk dengan nomor telepon belum disiapkan di server ini.",
                en="Phone-number sign-in is not set up on this server.",
            ),
        ),
    },
)
