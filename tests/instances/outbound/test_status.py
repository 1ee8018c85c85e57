"""Statuses only move forward: late, duplicate or out-of-order acks never move a message back."""

from __future__ import annotations

import pytest

from instances.engines.base import Ack
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.status import apply_ack, is_forward, wire_id
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def sent_message(provider_id="true_4915123456789@c.us_ABC"):
    message = enqueue(InstanceFactory(), "+4915123456789", "text", {"text": "Hi"})
    message.status, message.provider_id = S.SENT, provider_id
    message.save()
    return message


def test_acks_climb_the_ladder():
    message = sent_message()

    for ack, status in ((Ack.DEVICE, S.DELIVERED), (Ack.READ, S.READ), (Ack.PLAYED, S.PLAYED)):
        assert apply_ack(message.instance, message.provider_id, ack)
        message.refresh_from_db()
        assert message.status == status


def test_a_late_ack_never_moves_a_message_back():
    message = sent_message()
    apply_ack(message.instance, message.provider_id, Ack.READ)

    assert not apply_ack(message.instance, message.provider_id, Ack.DEVICE)
    assert not apply_ack(message.instance, message.provider_id, Ack.READ)

    message.refresh_from_db()
    assert message.status == S.READ


def test_an_ack_that_arrives_before_the_send_was_recorded_finds_its_message_by_client_id():
    message = enqueue(InstanceFactory(), "+4915123456789", "text", {"text": "Hi"})
    message.status = S.SENDING
    message.save()
    engine_id = f"true_{message.chat_id}_{wire_id(message)}"

    assert apply_ack(message.instance, engine_id, Ack.SERVER)

    message.refresh_from_db()
    assert (message.status, message.provider_id) == (S.SENT, engine_id)


def test_an_ack_proves_an_unconfirmed_message_went_out():
    message = sent_message()
    message.status = S.UNCONFIRMED
    message.save()

    assert apply_ack(message.instance, message.provider_id, Ack.DEVICE)
    message.refresh_from_db()
    assert message.status == S.DELIVERED


def test_acks_for_another_instance_or_unknown_ids_change_nothing():
    message = sent_message()

    assert not apply_ack(InstanceFactory(), message.provider_id, Ack.READ)
    assert not apply_ack(message.instance, "true_1@c.us_NOTOURS", Ack.READ)
    assert not apply_ack(message.instance, message.provider_id, Ack.PENDING)
    assert not apply_ack(message.instance, message.provider_id, None)
    message.refresh_from_db()
    assert message.status == S.SENT


@pytest.mark.parametrize(
    ("current", "new", "forward"),
    [
        (S.QUEUED, S.SENDING, True),
        (S.SENDING, S.QUEUED, False),
        (S.SENT, S.FAILED, False),
        (S.SENDING, S.FAILED, True),
        (S.CANCELLED, S.SENT, False),
        (S.FAILED, S.READ, True),
        (S.READ, S.SENT, False),
    ],
)
def test_what_counts_as_forward(current, new, forward):
    assert is_forward(current, new) is forward
