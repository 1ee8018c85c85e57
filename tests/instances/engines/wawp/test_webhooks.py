"""Wawp webhooks: the documented payloads as typed events."""

from __future__ import annotations

import json

import pytest

from instances.engines.base import (
    Ack,
    AckData,
    EditedData,
    EventKind,
    Me,
    ReactionData,
    RevokedData,
    SessionStatus,
    SessionStatusData,
)
from instances.engines.wawp import WawpEngine
from tests.instances.engines.wawp.gateway import (
    FIXTURES,
)

# Payloads from the examples in Wawp's API reference.


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def test_parses_session_status():
    (event,) = WawpEngine.parse_webhook({}, fixture("session.status"))

    assert event.kind is EventKind.SESSION_STATUS
    assert event.event_id == "evt_01aaaaaaaaaaaaaaaaaaaaaaaa"
    assert event.me == Me(id="11111111111@c.us", push_name="Wawp Instance", lid="123123@lid")
    assert event.data == SessionStatusData(SessionStatus.STOPPED, raw_status="STOPPED")


def test_parses_an_incoming_message_with_media():
    (event,) = WawpEngine.parse_webhook({}, fixture("message"))

    assert event.kind is EventKind.MESSAGE
    assert event.data.message_id == "false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA"
    assert event.data.text == "Hello, world!"
    assert event.data.media.url == "https://api.wawp.net/api/files/example.oga"
    assert event.problems == ()


def test_parses_message_any():
    (event,) = WawpEngine.parse_webhook({}, fixture("message.any"))

    assert event.kind is EventKind.MESSAGE
    assert event.data.text == "Catching everything!"


def test_parses_an_ack_with_its_chat():
    (event,) = WawpEngine.parse_webhook({}, fixture("message.ack"))

    assert event.kind is EventKind.ACK
    assert event.data == AckData(
        message_id="true_11111111111@c.us_...", chat_id="11111111111@c.us", ack=Ack.READ
    )


def test_parses_wawps_flat_reaction():
    (event,) = WawpEngine.parse_webhook({}, fixture("message.reaction"))

    assert event.kind is EventKind.REACTION
    assert event.data == ReactionData(
        message_id="false_11111111111@c.us_AAAAA", emoji="❤️", sender_id="11111111111@c.us"
    )


def test_parses_wawps_flat_revoke():
    (event,) = WawpEngine.parse_webhook({}, fixture("message.revoked"))

    assert event.kind is EventKind.REVOKED
    assert event.data == RevokedData(message_id="false_11111111111@c.us_...")


def test_parses_wawps_flat_edit():
    (event,) = WawpEngine.parse_webhook({}, fixture("message.edited"))

    assert event.kind is EventKind.EDITED
    assert event.data == EditedData(
        message_id="false_11111111111@c.us_...", text="Updated message text!"
    )


def test_falls_back_to_wahas_shapes_when_wawp_sends_them():
    body = json.dumps(
        {
            "event": "message.reaction",
            "payload": {
                "id": "false_1@c.us_R",
                "from": "1@c.us",
                "reaction": {"text": "😂", "messageId": "true_1@c.us_M"},
            },
        }
    ).encode()

    (event,) = WawpEngine.parse_webhook({}, body)

    assert event.data == ReactionData(message_id="true_1@c.us_M", emoji="😂", sender_id="1@c.us")


def test_a_malformed_body_raises_value_error():
    with pytest.raises(ValueError):
        WawpEngine.parse_webhook({}, b'{"event": "message"}')
