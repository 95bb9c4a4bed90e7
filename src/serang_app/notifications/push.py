"""Handing push messages to FCM (fcm.py, through firebase-admin's async API), or to the log in development.

Each message gets an outcome the delivery worker acts on:
- `sent`;
- `token_gone`: UNREGISTERED or SENDER_ID_MISMATCH: the token will never work again, delete it;
- `token_invalid`: INVALID_ARGUMENT naming the token as the field at fault: delete it too;
- `retry`: UNAVAILABLE, INTERNAL, QUOTA_EXCEEDED, or no answer: try again later, not before
  `retry_after` seconds when FCM said so;
- `failed`: anything else (a payload FCM refuses): retrying would not help.

Announcements go to FCM topics instead of tokens (`send_to_topics`), and the sender subscribes
tokens to topics and unsubscribes them (`change_topic`), answering FCM's error code per token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import structlog

from serang_app.settings import Settings

logger = structlog.get_logger("serang_app.push")

PushResult = Literal["sent", "token_gone", "token_invalid", "retry", "failed"]
# FCM's own limit for one batch.
MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class PushMessage:
    token: str
    title: str
    body: str
    # Delivered to the app as is; it carries the notification id, so the app can drop a repeat
    # (delivery is at least once).
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TopicPush:
    """One message to every device subscribed to a topic (announcements/topics.py names them)."""

    topic: str
    title: str
    body: str
    # An absolute https URL the phone fetches when it shows the notification.
    image_url: str | None = None
    data: dict[str, str] = field(default_factory=dict)


# What topic management answers for a token FCM will never accept again.
TOKEN_GONE_CODES = frozenset({"UNREGISTERED", "NOT_FOUND", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"})
TOPIC_BATCH = 1000  # FCM's limit of tokens per topic-management call


@dataclass(frozen=True, slots=True)
class PushOutcome:
    result: PushResult
    retry_after: float | None = None
    detail: str = ""


class PushSender(Protocol):
    async def send(self, messages: Sequence[PushMessage]) -> list[PushOutcome]: ...

    async def send_to_topics(self, messages: Sequence[TopicPush]) -> list[PushOutcome]: ...

    async def change_topic(self, tokens: Sequence[str], topic: str, *, subscribe: bool) -> list[str | None]:
        """Subscribe (or unsubscribe) the tokens; per token, None or FCM's error code."""
        ...

    def close(self) -> None: ...


class LogSender:
    """Development without FCM credentials: every push is logged (ids only) and counts as sent."""

    async def send(self, messages: Sequence[PushMessage]) -> list[PushOutcome]:
        for message in messages:
            logger.info("push_logged", notification_id=message.data.get("notification_id"))
        return [PushOutcome("sent") for _ in messages]

    async def send_to_topics(self, messages: Sequence[TopicPush]) -> list[PushOutcome]:
        for message in messages:
            logger.info("topic_push_logged", topic=message.topic, announcement_id=message.data.get("announcement_id"))
        return [PushOutcome("sent") for _ in messages]

    async def change_topic(self, tokens: Sequence[str], topic: str, *, subscribe: bool) -> list[str | None]:
        logger.info("topic_change_logged", topic=topic, subscribe=subscribe, devices=len(tokens))
        return [None for _ in tokens]

    def close(self) -> None:
        pass


def open_push_sender(settings: Settings) -> PushSender:
    """FCM when a service-account file is configured, else the log (development)."""
    if settings.fcm_credentials_file:
        # firebase-admin (with google-auth, httpx and their own imports) is imported here, by the
        # processes that send through FCM, rather than by every start of the app or a CLI command:
        # it is a fifth of the app's import time (docs/testing.md, "Process starts").
        from serang_app.notifications.fcm import FcmSender

        return FcmSender(settings.fcm_credentials_file, api_url=settings.fcm_api_url)
    return LogSender()
