"""/v1/staff/notifications (a staff member's in-app inbox) and /v1/staff/devices/{installation_id}
(their phones' push tokens): the residents' inbox and devices (notifications/routes.py) for staff."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from serang_app.app_state import database_of
from serang_app.auth.principal import Principal
from serang_app.http.locale import negotiate_locale
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.http.problems import ApiError
from serang_app.notifications.inbox import (
    MarkRead,
    Recipient,
    StaffInbox,
    StaffInboxItem,
    UnreadCount,
    as_staff_inbox,
    as_staff_item,
    mark_one_read,
    mark_read,
    unread_count,
)
from serang_app.notifications.language import staff_locale
from serang_app.notifications.routes import InstallationId, inbox_reading
from serang_app.notifications.staff_devices import (
    StaffDevice,
    StaffDeviceRegistration,
    forget_staff_device,
    register_staff_device,
)

StaffRequest = Request[Principal, Any, Any]
NotificationId = Annotated[uuid.UUID, PathParameter(description="One of the caller's own notifications.")]
_OWN_ACCOUNT = {"permission": "staff.self"}


def _recipient(request: StaffRequest) -> Recipient:
    return Recipient("staff", request.user.id)


async def _locale(connection: Any, request: StaffRequest) -> str:
    """The staff member's language; until chosen, the one this request asks for."""
    return await staff_locale(connection, request.user.id) or negotiate_locale(request.headers.get("accept-language"))


class StaffNotificationController(Controller):
    path = "/v1/staff/notifications"
    tags = ("staff",)
    opt = _OWN_ACCOUNT

    @get(
        operation_id="listStaffNotifications",
        summary="My notifications as staff, newest first, with the unread count",
        opt={"problems": [422]},
    )
    async def list_staff_notifications(
        self, request: StaffRequest, state: State, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
    ) -> StaffInbox:
        async with database_of(state).acquire() as connection:
            reading = inbox_reading(state, _recipient(request), await _locale(connection, request))
            inbox = await reading.page(connection, limit=limit, cursor=cursor)
        return as_staff_inbox(inbox)

    @get(
        "/{notification_id:uuid}",
        operation_id="getStaffNotification",
        summary="One of my notifications as staff",
        opt={"problems": [404]},
    )
    async def get_staff_notification(
        self, request: StaffRequest, state: State, notification_id: NotificationId
    ) -> StaffInboxItem:
        async with database_of(state).acquire() as connection:
            reading = inbox_reading(state, _recipient(request), await _locale(connection, request))
            item = await reading.item(connection, notification_id)
        if item is None:  # anyone else's: as if it did not exist
            raise ApiError(404)
        return as_staff_item(item)

    @post(
        "/{notification_id:uuid}/read",
        operation_id="readStaffNotification",
        summary="Mark one of my notifications read",
        status_code=200,
        opt={"problems": [404]},
    )
    async def read_staff_notification(
        self, request: StaffRequest, state: State, notification_id: NotificationId
    ) -> UnreadCount:
        async with database_of(state).acquire() as connection:
            if not await mark_one_read(connection, _recipient(request), notification_id):
                raise ApiError(404)
            return UnreadCount(unread_count=await unread_count(connection, _recipient(request)))

    @post(
        "/read",
        operation_id="readStaffNotifications",
        summary="Mark these of my notifications read (anyone else's are ignored)",
        status_code=200,
    )
    async def read_staff_notifications(
        self, request: StaffRequest, state: State, data: JSONBody[MarkRead]
    ) -> UnreadCount:
        async with database_of(state).acquire() as connection:
            return UnreadCount(unread_count=await mark_read(connection, _recipient(request), data.ids))

    @post(
        "/read-all",
        operation_id="readAllStaffNotifications",
        summary="Mark every one of my notifications read",
        status_code=200,
    )
    async def read_all_staff_notifications(self, request: StaffRequest, state: State) -> UnreadCount:
        async with database_of(state).acquire() as connection:
            return UnreadCount(unread_count=await mark_read(connection, _recipient(request), None))


class StaffDeviceController(Controller):
    path = "/v1/staff/devices"
    tags = ("staff",)
    opt = _OWN_ACCOUNT

    @put(
        "/{installation_id:str}",
        operation_id="registerStaffDevice",
        summary="Register this phone for staff pushes, or refresh its token",
        status_code=200,
        opt={"problems": [409]},
    )
    async def register(
        self,
        request: StaffRequest,
        state: State,
        installation_id: InstallationId,
        data: JSONBody[StaffDeviceRegistration],
    ) -> StaffDevice:
        async with database_of(state).acquire() as connection, connection.transaction():
            return await register_staff_device(connection, request.user.id, installation_id, data)

    @delete(
        "/{installation_id:str}",
        operation_id="forgetStaffDevice",
        summary="Stop pushing to this phone (sign-out)",
        opt={"problems": [404]},
    )
    async def forget(self, request: StaffRequest, state: State, installation_id: InstallationId) -> None:
        async with database_of(state).acquire() as connection:
            await forget_staff_device(connection, request.user.id, installation_id)
