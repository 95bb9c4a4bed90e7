"""Staff phones and the push delivery step, as the tests of staff notifications drive them: a phone
registered the way the officers' app does, the staff inbox read, the delivery step sending through
firebase-admin's real path to the FCM stand-in, and what the stand-in received for one phone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from serang_app.cases.registry import WorkflowRegistry
from serang_app.domains import CORE_DOMAINS
from serang_app.module_system.spec import ModuleSpec
from serang_app.notifications.delivery import Delivery
from serang_app.notifications.fcm import FcmSender
from serang_app.notifications.texts import NotificationTexts
from tests.support.fake_google import FakeGoogle


@contextmanager
def push_delivery(google: FakeGoogle, modules: Sequence[ModuleSpec]) -> Iterator[Delivery]:
    """The delivery step's collaborators for an app of `modules`, sending to `google`'s FCM."""
    sender = FcmSender(str(google.credentials_file), api_url=google.fcm_url)
    try:
        yield Delivery(
            sender=sender, texts=NotificationTexts(CORE_DOMAINS, modules), workflows=WorkflowRegistry(modules)
        )
    finally:
        sender.close()  # outside the event loop: it runs its own


async def register_phone(client: Any, headers: dict[str, str], token: str, installation: str | None = None) -> None:
    """The staff member's phone registered for push (`PUT /v1/staff/devices/{installation}`)."""
    registration = {"fcm_token": token, "platform": "android", "app_version": "2.1.0"}
    installation = installation or f"staff-{uuid.uuid4().hex[:12]}"
    registered = await client.put(f"/v1/staff/devices/{installation}", json=registration, headers=headers)
    assert registered.status_code == 200, registered.text
    assert registered.json() == {"installation_id": installation, "platform": "android", "app_version": "2.1.0"}


async def staff_inbox(client: Any, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    """A page of the staff member's notifications (`GET /v1/staff/notifications`)."""
    listed = await client.get("/v1/staff/notifications", params=params, headers=headers)
    assert listed.status_code == 200, listed.text
    inbox: dict[str, Any] = listed.json()
    return inbox


def pushes_to(google: FakeGoogle, token: str) -> list[dict[str, Any]]:
    """The messages FCM's stand-in received for the phone with this token, oldest first."""
    return [message for message in google.fcm_sent if message.get("token") == token]
