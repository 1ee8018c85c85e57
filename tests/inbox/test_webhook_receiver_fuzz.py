"""Property: any signed body gets 2xx or 4xx with a reason, and what is accepted is stored."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbox.models import WebhookEvent
from instances.models import InstanceStatus
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

EVENTS = [
    "message",
    "message.any",
    "message.ack",
    "message.reaction",
    "message.revoked",
    "message.edited",
    "session.status",
    "presence.update",
]
PAYLOAD_KEYS = [
    "id",
    "status",
    "body",
    "from",
    "to",
    "fromMe",
    "chatId",
    "participant",
    "ack",
    "ackName",
    "reaction",
    "messageId",
    "revokedMessageId",
    "editedMessageId",
    "before",
    "after",
    "newBody",
    "revokedBy",
    "hasMedia",
    "media",
    "timestamp",
    "_data",
    "replyTo",
    "source",
]
# Ids shaped like WhatsApp's, so message events reach the conversation handlers.
CHAT_IDS = ["4917612345678@c.us", "120363025555555555@g.us", "123456789012345@lid", "x@c.us"]
MESSAGE_IDS = [f"{side}_{chat}_3EB0AA" for side in ("true", "false") for chat in CHAT_IDS]
HOSTILE_TEXT = ["\x00", "\ud800", "\udfff", "a\x00b", "<script>", "N" * 300, ""]

texts = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30), st.sampled_from(HOSTILE_TEXT)
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
message_payloads = st.fixed_dictionaries(
    {"id": st.sampled_from(MESSAGE_IDS), "from": st.sampled_from(CHAT_IDS)},
    optional={key: values for key in PAYLOAD_KEYS if key not in ("id", "from")},
)
payloads = st.one_of(
    st.dictionaries(st.sampled_from(PAYLOAD_KEYS), values, max_size=8), message_payloads, values
)
envelopes = st.fixed_dictionaries(
    {"event": st.one_of(st.sampled_from(EVENTS), texts), "payload": payloads},
    optional={
        "id": st.one_of(texts, values),
        "session": values,
        "timestamp": values,
        "me": st.one_of(
            st.fixed_dictionaries({"id": texts, "pushName": values}, optional={"lid": values}),
            values,
        ),
    },
)


def encode(value, ascii_only: bool) -> bytes:
    # With ensure_ascii off a lone surrogate becomes the raw bytes ED A0 80.
    text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


bodies = st.one_of(
    st.builds(encode, envelopes, st.booleans()),
    st.builds(encode, values, st.booleans()),
    st.binary(max_size=64),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
)


@pytest.fixture
def post_signed(client):
    def post(instance, body: bytes):
        signature = hmac.new(instance.webhook_secret.encode(), body, hashlib.sha512).hexdigest()
        return client.post(
            reverse("hooks:receive", args=[instance.uuid]),
            data=body,
            content_type="application/json",
            headers={"X-Webhook-Hmac": signature},
        )

    return post


@settings(
    max_examples=150,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(engine=st.sampled_from(["waha", "wawp", "messagepro"]), body=bodies)
def test_any_signed_body_is_answered_with_2xx_or_a_reasoned_4xx(post_signed, engine, body):
    instance = InstanceFactory(engine=engine)
    # The test client re-raises any exception in the view: a 500 fails the test here.
    response = post_signed(instance, body)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"].startswith("not a webhook envelope: ")
        assert not instance.webhook_events.exists()
        return
    answer = response.json()
    stored = list(instance.webhook_events.all())
    assert answer["stored"] == len(stored) and answer["duplicates"] == 0
    for event in stored:
        assert event.state != WebhookEvent.State.FAILED, event.error
        assert event.raw_body is None or bytes(event.raw_body) == body
    instance.refresh_from_db()
    assert instance.status in InstanceStatus.values
