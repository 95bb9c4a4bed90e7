"""The announcements domain: the regency's broadcasts, their delivery and the devices' topics."""

from __future__ import annotations

from serang_app.announcements.delivery import deliver_announcements
from serang_app.announcements.routes import AnnouncementAdminController, announcement_image, list_announcements
from serang_app.announcements.topics import sync_device_topics
from serang_app.auth.permissions import Permission
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.worker.context import WorkerContext


async def _deliver_announcements(context: WorkerContext) -> None:
    if context.delivery is not None:
        delivery = context.delivery
        await deliver_announcements(
            context.database, delivery.sender, delivery.public_base_url, max_attempts=delivery.max_attempts
        )


async def _sync_device_topics(context: WorkerContext) -> None:
    if context.delivery is not None:
        await sync_device_topics(context.database, context.delivery.sender)


ANNOUNCEMENTS = CoreDomain(
    name="announcements",
    public_routes=(list_announcements, announcement_image),
    signed_in_routes=(AnnouncementAdminController,),
    permissions=(Permission("announcements.manage", ("admin",), "Publish, list and withdraw announcements"),),
    tasks=(
        PeriodicTask("deliver_announcements", 1, _deliver_announcements),
        # A phone registered or a resident who moved district joins the right topics within seconds.
        PeriodicTask("sync_device_topics", 2, _sync_device_topics),
    ),
)
