"""The notifications domain: the inbox, devices, pushes given up on, and delivering pushes."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.notifications.dead_letters import PushFailureController
from serang_app.notifications.delivery import deliver_due
from serang_app.notifications.routes import DeviceController, NotificationController
from serang_app.worker.context import WorkerContext


async def _deliver_pushes(context: WorkerContext) -> None:
    if context.delivery is not None:
        await deliver_due(context.database, context.delivery)


NOTIFICATIONS = CoreDomain(
    name="notifications",
    signed_in_routes=(NotificationController, DeviceController, PushFailureController),
    permissions=(Permission("push.manage", ("admin",), "See pushes given up on and send them again"),),
    # Pushes should reach FCM within seconds of the change that caused them.
    tasks=(PeriodicTask("deliver_pushes", 1, _deliver_pushes),),
)
