"""`enqueue`, the one way into the queue: recipients normalized, bad input refused by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from instances.models import OutboundMessage, OutboundStatus
from instances.outbound import OutboundValidationError, enqueue
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("to", "chat_id"),
    [
        ("+49 151 2345 6789", "4915123456789@c.us"),
        ("0049 151 23456789", "4915123456789@c.us"),
        ("4915123456789", "4915123456789@c.us"),
        ("+1 (415) 555-2671", "14155552671@c.us"),
        ("4915123456789@c.us", "4915123456789@c.us"),
        ("120363025246125486@g.us", "120363025246125486@g.us"),
        ("4915123456789-1612345678@g.us", "4915123456789-1612345678@g.us"),
        ("123456789012345@lid", "123456789012345@lid"),
        ("120363000000000001@newsletter", "120363000000000001@newsletter"),
    ],
)
def test_recipients_in_any_common_form_become_the_engines_chat_id(to, chat_id):
    message = enqueue(InstanceFactory(), to, "text", {"text": "Hi"})

    assert message.chat_id == chat_id
    assert message.status == OutboundStatus.QUEUED


@pytest.mark.parametrize("to", ["", "hello", "+49 1", "12@c.us", "someone@example.com", None])
def test_a_bad_recipient_is_refused_as_the_to_field(to):
    with pytest.raises(OutboundValidationError) as caught:
        enqueue(InstanceFactory(), to, "text", {"text": "Hi"})

    assert list(caught.value.errors) == ["to"]
    assert not OutboundMessage.objects.exists()


def test_all_problems_come_back_together_and_nothing_is_queued():
    with pytest.raises(OutboundValidationError) as caught:
        enqueue(InstanceFactory(), "nobody", "text", {"text": ""}, priority=1000)

    assert set(caught.value.errors) == {"to", "text", "priority"}
    assert not OutboundMessage.objects.exists()


def test_a_scheduled_message_is_due_at_its_send_time():
    later = timezone.now() + timedelta(hours=2)

    message = enqueue(InstanceFactory(), "+4915123456789", "text", {"text": "Hi"}, send_at=later)

    assert message.send_at == later
    assert message.due_at == later


def test_a_send_time_in_the_past_is_due_now():
    past = datetime(2020, 1, 1, tzinfo=UTC)

    message = enqueue(InstanceFactory(), "+4915123456789", "text", {"text": "Hi"}, send_at=past)

    assert message.due_at > past


def test_a_send_time_without_a_time_zone_is_refused():
    with pytest.raises(OutboundValidationError) as caught:
        enqueue(
            InstanceFactory(),
            "+4915123456789",
            "text",
            {"text": "Hi"},
            send_at=datetime(2030, 1, 1),
        )

    assert list(caught.value.errors) == ["send_at"]


def test_the_payload_is_stored_as_cleaned():
    message = enqueue(
        InstanceFactory(), "+4915123456789", "poll", {"name": "Q", "options": ["A ", "B"]}
    )

    message.refresh_from_db()
    assert message.payload == {"name": "Q", "options": ["A", "B"], "multiple": False}
    assert message.kind == "poll"
