"""/v1/me/notifications (the in-app inbox) and /v1/me/devices/{installation_id} (push tokens)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from serang_app.app_state import case_engine_of, database_of, identity_of, notification_texts_of
from serang_app.auth.principal import Principal
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.identity.deployment import service_title
from serang_app.notifications.devices import (
    INSTALLATION_ID_PATTERN,
    Device,
    DeviceRegistration,
    forget_device,
    register_device,
)
from serang_app.notifications.inbox import Inbox, InboxReading, MarkRead, Recipient, UnreadCount, mark_read
from serang_app.notifications.language import resident_locale

MeRequest = Request[Principal, Any, Any]
InstallationId = Annotated[
    str,
    PathParameter(
        description="The app's own id for this installation (8-128 letters, digits, - or _).",
        pattern=INSTALLATION_ID_PATTERN,
    ),
]
_OWN_ACCOUNT = {"permission": "profile.manage"}


def inbox_reading(state: State, recipient: Recipient, locale: str) -> InboxReading:
    """The recipient's inbox in their language, as this deployment renders it."""
    return InboxReading(
        notification_texts_of(state),
        case_engine_of(state).workflows,
        recipient,
        locale,
        service_title(identity_of(state)),
    )


class NotificationController(Controller):
    path = "/v1/me/notifications"
    tags = ("me",)
    opt = _OWN_ACCOUNT

    @get(summary="My notifications, newest first, with the unread count", opt={"problems": [422]})
    async def list_notifications(
        self, request: MeRequest, state: State, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
    ) -> Inbox:
        async with database_of(state).acquire() as connection:
            locale = await resident_locale(connection, request.user.id)
            reading = inbox_reading(state, Recipient("resident", request.user.id), locale)
            return await reading.page(connection, limit=limit, cursor=cursor)

    @post("/read", summary="Mark these notifications read", status_code=200)
    async def read_notifications(self, request: MeRequest, state: State, data: JSONBody[MarkRead]) -> UnreadCount:
        async with database_of(state).acquire() as connection:
            return UnreadCount(
                unread_count=await mark_read(connection, Recipient("resident", request.user.id), data.ids)
            )

    @post("/read-all", summary="Mark every notification read", status_code=200)
    async def read_all_notifications(self, request: MeRequest, state: State) -> UnreadCount:
        async with database_of(state).acquire() as connection:
            return UnreadCount(unread_count=await mark_read(connection, Recipient("resident", request.user.id), None))


class DeviceController(Controller):
    path = "/v1/me/devices"
    tags = ("me",)
    opt = _OWN_ACCOUNT

    @put(
        "/{installation_id:str}",
        operation_id="registerDevice",
        summary="Register this phone for push, or refresh its token",
        status_code=200,
    )
    async def register(
        self, request: MeRequest, state: State, installation_id: InstallationId, data: JSONBody[DeviceRegistration]
    ) -> Device:
        async with database_of(state).acquire() as connection, connection.transaction():
            return await register_device(connection, request.user.id, installation_id, data)

    @delete(
        "/{installation_id:str}",
        operation_id="forgetDevice",
        summary="Stop pushing to this phone (sign-out)",
        opt={"problems": [404]},
    )
    async def forget(self, request: MeRequest, state: State, installation_id: InstallationId) -> None:
        async with database_of(state).acquire() as connection:
            await forget_device(connection, request.user.id, installation_id)
