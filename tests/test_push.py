"""Push through firebase-admin's real async path, to a local stand-in for FCM (and its OAuth)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from serang_app.notifications.fcm import FcmSender
from serang_app.notifications.push import LogSender, PushMessage, open_push_sender
from tests.conftest import settings_for
from tests.support.fake_google import FakeGoogle


@pytest.fixture
def sender(google: FakeGoogle) -> Iterator[FcmSender]:
    fcm = FcmSender(str(google.credentials_file), api_url=google.fcm_url)
    yield fcm
    fcm.close()


def message(token: str, notification_id: str = "n-1") -> PushMessage:
    return PushMessage(
        token=token,
        title="Lampu Jalan Mati",
        body="Lampu LMP-2611-000001 sedang diperbaiki.",
        data={"notification_id": notification_id},
    )


async def test_messages_reach_fcm_with_their_text_and_data(google: FakeGoogle, sender: FcmSender) -> None:
    outcomes = await sender.send([message("token-one-aaaaaaaaaaaa", "n-1"), message("token-two-bbbbbbbbbbbb", "n-2")])
    assert [outcome.result for outcome in outcomes] == ["sent", "sent"]
    sent = sorted(google.fcm_sent, key=lambda item: item["token"])
    assert [item["data"]["notification_id"] for item in sent] == ["n-1", "n-2"]
    assert sent[0]["notification"] == {"title": "Lampu Jalan Mati", "body": "Lampu LMP-2611-000001 sedang diperbaiki."}
    # One OAuth token serves both sends: the fake's token endpoint was asked once.
    assert google.hits["token"] == 1


@pytest.mark.parametrize(
    ("answer", "result"),
    [
        ("unregistered", "token_gone"),
        ("sender_mismatch", "token_gone"),
        ("bad_token", "token_invalid"),
        ("bad_payload", "failed"),
        ("unavailable", "retry"),
        ("internal", "retry"),
        ("quota", "retry"),
    ],
)
async def test_each_fcm_error_gets_the_outcome_the_worker_acts_on(
    google: FakeGoogle, sender: FcmSender, answer: str, result: str
) -> None:
    google.fcm_outcomes["token-x-cccccccccccccc"] = [answer]
    google.fcm_retry_after = "7"
    [outcome] = await sender.send([message("token-x-cccccccccccccc")])
    assert outcome.result == result
    if answer in ("unavailable", "quota"):
        assert outcome.retry_after == 7.0
    # The SDK's own retries are off: one answer, one outcome (the worker retries, later).
    assert google.hits["fcm"] == 1


async def test_without_credentials_pushes_are_logged_as_sent() -> None:
    outcomes = await LogSender().send([message("token-y-dddddddddddddd")])
    assert [outcome.result for outcome in outcomes] == ["sent"]


def test_the_settings_choose_the_sender(google: FakeGoogle) -> None:
    assert isinstance(open_push_sender(settings_for("postgresql://unused/x")), LogSender)
    chosen = open_push_sender(
        settings_for(
            "postgresql://unused/x", FCM_CREDENTIALS_FILE=str(google.credentials_file), FCM_API_URL=google.fcm_url
        )
    )
    try:
        assert isinstance(chosen, FcmSender)
    finally:
        chosen.close()
