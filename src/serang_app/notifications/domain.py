"""The notifications domain: the inbox, devices, pushes given up on, and delivering pushes, for
residents and staff alike."""

from __future__ import annotations

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain, PeriodicTask
from serang_app.notifications.dead_letters import PushFailureController
from serang_app.notifications.delivery import deliver_due
from serang_app.notifications.routes import DeviceController, NotificationController
from serang_app.notifications.staff_routes import StaffDeviceController, StaffNotificationController
from serang_app.worker.context import WorkerContext


async def _deliver_pushes(context: WorkerContext) -> None:
    if context.delivery is not None:
        await deliver_due(context.database, context.delivery)


NOTIFICATIONS = CoreDomain(
    name="notifications",
    signed_in_routes=(
        NotificationController,
        DeviceController,
        StaffNotificationController,
        StaffDeviceController,
        PushFailureController,
    ),
    permissions=(Permission("push.manage", ("admin",), "See pushes given up on and send them again"),),
    # Pushes should reach FCM within seconds of the change that caused them.
    tasks=(PeriodicTask("deliver_pushes", 1, _deliver_pushes),),
    problems={
        "too_many_devices": ProblemText(
            title=Text(id="Terlalu banyak perangkat", en="Too many devices"),
            detail=Text(
                id="Akun ini sudah terdaftar di {limit} perangkat. Keluar dari salah satunya terlebih dahulu.",
                en="This account is already registered on {limit} devices. Sign out on one of them first.",
            ),
        ),
    },
)
