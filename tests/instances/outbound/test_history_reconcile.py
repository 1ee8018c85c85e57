"""Reading chat-api's message history: id-less sends get their ids (and the acks that came
first), and messages a downtime made us miss reach the inbox once."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from inbox.models import WebhookEvent
from instances.models import InstanceStatus, OutboundMessage, QueueSettings
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.dispatcher import send_next
from instances.outbound.reconcile import reconcile_history
from tests.companion_fixture import CHATAPI_INSTANCE, CHATAPI_TOKEN
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

CUSTOMER = "17472822486@c.us"


@pytest.fixture
def chatapi(chatapi_sim):
    chatapi_sim.scan()
    instance = InstanceFactory(
        engine="chatapi",
        base_url=chatapi_sim.url,
        session_name=CHATAPI_INSTANCE,
        api_key=CHATAPI_TOKEN,
        status=InstanceStatus.WORKING,
    )
    QueueSettings.objects.create(instance=instance, min_delay_seconds=0, max_delay_seconds=0)
    return instance


def test_a_message_missed_while_down_reaches_the_inbox_once(chatapi, chatapi_sim):
    chatapi_sim.receive(CUSTOMER, "Are you open today?")

    first = reconcile_history(chatapi)
    chatapi.history_cursor = None  # even reading the same page again stores nothing twice
    reconcile_history(chatapi)

    (stored,) = WebhookEvent.objects.filter(instance=chatapi, kind="message")
    assert stored.event_id == f"message:{chatapi_sim.history[0]['id']}"
    assert first.read == 1 and first.named == 0
    chatapi.refresh_from_db()
    assert chatapi.history_cursor == 1


def test_identical_sends_get_the_history_ids_oldest_first(chatapi, chatapi_sim):
    older = enqueue(chatapi, CUSTOMER, "text", {"text": "Same words"})
    newer = enqueue(chatapi, CUSTOMER, "text", {"text": "Same words"})
    for _ in range(2):
        send_next(chatapi.pk, rng=random.Random(1), burst_seconds=0)

    result = reconcile_history(chatapi)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert result.named == 2
    assert older.provider_id == chatapi_sim.history[0]["id"]
    assert newer.provider_id == chatapi_sim.history[1]["id"]


def test_acks_stored_before_the_id_was_known_are_applied_when_it_is(chatapi, chatapi_sim):
    message = OutboundMessage.objects.create(
        instance=chatapi,
        chat_id=CUSTOMER,
        kind="text",
        payload={"text": "Shipped"},
        status=S.SENT,
        sent_at=timezone.now(),
        status_changed_at=timezone.now(),
    )
    entry = chatapi_sim._history_entry(CUSTOMER, "Shipped", "chat", from_me=True)
    ack = {"id": entry["id"], "queueNumber": 1, "chatId": CUSTOMER, "status": "delivered"}
    WebhookEvent.objects.create(
        instance=chatapi,
        event_id=f"ack:{entry['id']}:delivered",
        event="ack",
        kind="ack",
        payload={"ack": [ack]},
    )

    reconcile_history(chatapi)

    message.refresh_from_db()
    assert message.provider_id == entry["id"]
    assert message.status == S.DELIVERED


def test_an_unreachable_gateway_is_reported_and_the_cursor_kept(chatapi, chatapi_sim):
    chatapi.history_cursor = 7
    chatapi.save()
    chatapi_sim.stop()

    result = reconcile_history(chatapi)

    assert "Cannot reach the gateway" in result.error
    chatapi.refresh_from_db()
    assert chatapi.history_cursor == 7


def test_gateways_without_a_history_are_left_alone():
    assert reconcile_history(InstanceFactory(engine="waha")).read == 0
