"""The FCM sender: push messages and topic changes through firebase-admin's async API, and FCM's
answer to each turned into the outcome the delivery worker acts on (push.py lists them).

Its own module so that firebase-admin is imported only where FCM is configured
(`push.open_push_sender`), not by every process that imports the app.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Sequence
from typing import Any

import firebase_admin
from firebase_admin import credentials, exceptions, messaging

from serang_app.notifications.push import MAX_BATCH, TOPIC_BATCH, PushMessage, PushOutcome, TopicPush


class FcmSender:
    def __init__(self, credentials_file: str, *, api_url: str | None = None) -> None:
        if api_url is not None:
            # firebase-admin has no setting for the send URL (tests and staging point it at a
            # stand-in); the class attribute is read when an app's messaging service is created.
            messaging._MessagingService.FCM_URL = api_url
        self._app = firebase_admin.initialize_app(
            credentials.Certificate(credentials_file), name=f"serang-push-{uuid.uuid4().hex}"
        )
        self._use_own_retries()
        if api_url is not None:
            self._use_topic_url(api_url)

    def _use_own_retries(self) -> None:
        # The SDK retries 500 and 503 itself, four times with backoff, inside one send; the
        # delivery worker retries across sends instead, honouring Retry-After, without holding a
        # batch open meanwhile. firebase-admin offers no option for this, hence the private names.
        from firebase_admin import _http_client
        from firebase_admin._retry import HttpxRetry

        service: Any = messaging._get_messaging_service(self._app)
        service._async_client = _http_client.HttpxAsyncClient(
            credential=service._credential,
            retry_config=HttpxRetry(max_retries=0),
            timeout=30,
        )

    def _use_topic_url(self, api_url: str) -> None:
        # Topic management goes to .../projects/{id}/registrations beside messages:send; the SDK
        # builds that URL from a fixed host when the service is created.
        service: Any = messaging._get_messaging_service(self._app)
        send_url = api_url.format(service._project_id)
        service._fcm_topic_url = send_url.removesuffix("/messages:send") + "/registrations"

    async def send(self, messages: Sequence[PushMessage]) -> list[PushOutcome]:
        return await self._send_each([_fcm_message(message) for message in messages])

    async def send_to_topics(self, messages: Sequence[TopicPush]) -> list[PushOutcome]:
        return await self._send_each([_fcm_topic_message(message) for message in messages])

    async def _send_each(self, messages: Sequence[messaging.Message]) -> list[PushOutcome]:
        outcomes: list[PushOutcome] = []
        for start in range(0, len(messages), MAX_BATCH):
            answer = await messaging.send_each_async(list(messages[start : start + MAX_BATCH]), app=self._app)
            outcomes.extend(_outcome(response) for response in answer.responses)
        return outcomes

    async def change_topic(self, tokens: Sequence[str], topic: str, *, subscribe: bool) -> list[str | None]:
        change = messaging.subscribe_to_topic_async if subscribe else messaging.unsubscribe_from_topic_async
        codes: list[str | None] = []
        for start in range(0, len(tokens), TOPIC_BATCH):
            batch = list(tokens[start : start + TOPIC_BATCH])
            answer = await change(batch, topic, app=self._app)
            batch_codes: list[str | None] = [None] * len(batch)
            for error in answer.errors:
                batch_codes[error.index] = str(error.reason)
            codes.extend(batch_codes)
        return codes

    def close(self) -> None:
        firebase_admin.delete_app(self._app)


def _fcm_message(message: PushMessage) -> messaging.Message:
    # The app registers FCM registration tokens (PUT /v1/me/devices), which `token` addresses.
    # firebase-admin 7.7 marks `token` deprecated in favour of `fid` (Firebase installation ids),
    # a different identifier the app does not send; FCM's HTTP v1 API still takes tokens.
    with warnings.catch_warnings():  # synchronous: no other task runs while the filter is changed
        warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
        return messaging.Message(
            token=message.token,
            notification=messaging.Notification(title=message.title, body=message.body),
            data=message.data,
        )


def _fcm_topic_message(message: TopicPush) -> messaging.Message:
    return messaging.Message(
        topic=message.topic,
        notification=messaging.Notification(title=message.title, body=message.body, image=message.image_url),
        data=message.data,
    )


def _outcome(response: messaging.SendResponse) -> PushOutcome:
    error = response.exception
    if error is None:
        return PushOutcome("sent")
    detail = type(error).__name__
    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return PushOutcome("token_gone", detail=detail)
    if isinstance(error, exceptions.InvalidArgumentError):
        return PushOutcome("token_invalid" if _token_at_fault(error) else "failed", detail=detail)
    if isinstance(
        error,
        exceptions.UnavailableError
        | exceptions.InternalError
        | messaging.QuotaExceededError
        | exceptions.DeadlineExceededError
        | exceptions.UnknownError,
    ):
        return PushOutcome("retry", retry_after=_retry_after(error), detail=detail)
    return PushOutcome("failed", detail=detail)


def _token_at_fault(error: exceptions.FirebaseError) -> bool:
    """INVALID_ARGUMENT is the token's fault only when FCM names `message.token` as the bad field."""
    try:
        details = error.http_response.json()["error"]["details"]
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return any(
        violation.get("field") == "message.token"
        for detail in details
        for violation in detail.get("fieldViolations", [])
    )


def _retry_after(error: exceptions.FirebaseError) -> float | None:
    response = error.http_response
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the worker's own backoff applies
