"""Signs that WhatsApp is blocking a number pause its sending, with a reason and a way back."""

from __future__ import annotations

import random

import pytest

from instances.engines.base import PermanentError, RetryableError
from instances.models import OutboundStatus, QueueSettings
from instances.outbound import enqueue
from instances.outbound.dispatcher import (
    FAILURES_BEFORE_PAUSE,
    is_reach_out_restriction,
    resume_sending,
    send_next,
    take_turn,
)

pytestmark = pytest.mark.django_db

# The gateway refuses it for good (400: not a message id it knows the format of).
REFUSED = {"message_id": "not-a-message-id", "emoji": "👍"}


def test_failures_in_a_row_pause_the_instance_with_a_reason(linked):
    for _ in range(FAILURES_BEFORE_PAUSE):
        enqueue(linked, "+4915123456789", "reaction", REFUSED)
    waiting = enqueue(linked, "+4915123456789", "text", {"text": "still here"}, priority=-1)

    for _ in range(FAILURES_BEFORE_PAUSE):
        send_next(linked.pk, rng=random.Random(1))

    queue = QueueSettings.objects.get(instance=linked)
    assert queue.paused
    assert f"last {FAILURES_BEFORE_PAUSE} messages failed" in queue.pause_reason
    assert not take_turn(linked, waiting.due_at, random.Random(1))
    waiting.refresh_from_db()
    assert waiting.status == OutboundStatus.QUEUED

    resume_sending(linked)
    queue.refresh_from_db()
    assert not queue.paused and queue.pause_reason == ""


def test_a_success_between_failures_resets_the_count(linked):
    for _ in range(FAILURES_BEFORE_PAUSE - 1):
        enqueue(linked, "+4915123456789", "reaction", REFUSED, priority=5)
    enqueue(linked, "+4915123456789", "text", {"text": "fine"}, priority=4)
    enqueue(linked, "+4915123456789", "reaction", REFUSED)

    for _ in range(FAILURES_BEFORE_PAUSE + 1):
        send_next(linked.pk, rng=random.Random(1))

    assert not QueueSettings.objects.get(instance=linked).paused


@pytest.mark.parametrize(
    ("error", "restricted"),
    [
        (PermanentError("refused", status_code=463), True),
        (RetryableError("The gateway failed: 463 reach-out timelock"), True),
        (PermanentError("Phone number 4634567 is not on WhatsApp"), False),
        (RetryableError("The gateway failed (HTTP 500)."), False),
    ],
)
def test_whatsapps_reach_out_restriction_is_recognised(error, restricted):
    assert is_reach_out_restriction(error) is restricted
