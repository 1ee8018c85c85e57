"""One incoming message delivered several times at once (`message` and `message.any`, and an
engine retry) makes one bubble and counts one unread, however the deliveries interleave."""

from __future__ import annotations

import json
from functools import partial

import pytest

from inbox import services
from inbox.models import Chat, ConversationMessage, WebhookEvent
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, without_event_id
from tests.together import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_deliveries_of_one_message_make_one_bubble():
    instance = InstanceFactory()
    incoming = envelope("message")
    bodies = [
        json.dumps(incoming).encode(),
        json.dumps(incoming).encode(),
        json.dumps(without_event_id(incoming, "message.any")).encode(),
        json.dumps(without_event_id(incoming, "message")).encode(),
    ]

    def deliver(body: bytes) -> None:
        events = services.parse_webhook(instance, {}, body)
        services.ingest_events(instance, events, body)

    assert run_together([partial(deliver, body) for body in bodies]) == []
    assert ConversationMessage.objects.count() == 1
    assert Chat.objects.get().unread_count == 1
    assert not WebhookEvent.objects.filter(state="failed").exists()
