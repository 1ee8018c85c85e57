"""The waha engine parses WAHA's webhook envelopes, old and new (tests/fixtures/waha/)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from instances.engines.base import (
    Ack,
    EventKind,
    Me,
    SessionStatus,
)
from tests.instances.engines.waha.conftest import (
    CHAT,
    fixture,
)

# Webhooks.


def test_parses_session_status(engine):
    (event,) = engine.parse_webhook({}, fixture("session.status"))

    assert event.kind is EventKind.SESSION_STATUS
    assert event.raw_event == "session.status"
    assert event.event_id == "evt_01jc3x8k2mq7v5d9r4t6y1w0za"
    assert event.session == "default"
    assert event.me == Me(id="4915112345678@c.us", push_name="Switchboard Support")
    assert event.occurred_at == datetime(2024, 11, 1, 11, 5, 0, 123000, tzinfo=UTC)
    assert event.data == {"status": SessionStatus.WORKING, "raw_status": "WORKING"}


def test_parses_an_incoming_message(engine):
    (event,) = engine.parse_webhook({}, fixture("message"))

    assert event.kind is EventKind.MESSAGE
    assert event.data == {
        "message_id": f"false_{CHAT}_3EB0C767D26A1D8F4A21",
        "chat_id": CHAT,
        "from_me": False,
        "text": "Hallo! Ist meine Bestellung schon unterwegs?",
        "has_media": False,
        "media": {},
        "sender": CHAT,
        "timestamp": datetime(2024, 11, 1, 11, 6, 1, tzinfo=UTC),
    }


def test_parses_message_any_sent_from_the_phone_with_media(engine):
    (event,) = engine.parse_webhook({}, fixture("message.any"))

    assert event.kind is EventKind.MESSAGE
    assert event.raw_event == "message.any"
    assert event.data["from_me"] is True
    assert event.data["chat_id"] == CHAT
    assert event.data["has_media"] is True
    assert event.data["media"]["mimetype"] == "application/pdf"


def test_parses_an_ack(engine):
    (event,) = engine.parse_webhook({}, fixture("message.ack"))

    assert event.kind is EventKind.ACK
    assert event.data == {
        "message_id": f"true_{CHAT}_3EB0A1B2C3D4E5F60718",
        "chat_id": CHAT,
        "ack": Ack.READ,
    }


def test_parses_a_reaction_nested_the_waha_way(engine):
    (event,) = engine.parse_webhook({}, fixture("message.reaction"))

    assert event.kind is EventKind.REACTION
    assert event.data == {
        "message_id": f"true_{CHAT}_3EB0A1B2C3D4E5F60718",
        "emoji": "👍",
        "sender": CHAT,
    }


def test_parses_a_revoke_completing_wahas_bare_message_id(engine):
    (event,) = engine.parse_webhook({}, fixture("message.revoked"))

    assert event.kind is EventKind.REVOKED
    assert event.data == {"message_id": f"false_{CHAT}_3EB0C767D26A1D8F4A21"}


def test_parses_an_edit_with_the_edited_message_id_and_new_text(engine):
    (event,) = engine.parse_webhook({}, fixture("message.edited"))

    assert event.kind is EventKind.EDITED
    assert event.data == {
        "message_id": f"false_{CHAT}_3EB0C767D26A1D8F4A21",
        "text": "Hallo! Ist meine Bestellung #1042 schon unterwegs?",
    }


def test_an_old_style_envelope_without_any_id_falls_back_to_the_body_hash(engine):
    body = fixture("session.status.old")

    (event,) = engine.parse_webhook({}, body)

    assert event.event_id == f"sha256:{hashlib.sha256(body).hexdigest()}"
    assert event.occurred_at is None
    assert event.me is None
    assert event.data["status"] is SessionStatus.SCAN_QR_CODE


def test_an_old_style_ack_falls_back_to_the_event_payload_id_and_ack(engine):
    (event,) = engine.parse_webhook({}, fixture("message.ack.old"))

    assert event.event_id == f"message.ack:true_{CHAT}_3EB0A1B2C3D4E5F60718:2"
    assert event.data["ack"] is Ack.DEVICE


def test_an_ack_name_wins_over_the_number(engine):
    body = json.dumps(
        {"event": "message.ack", "payload": {"id": "true_x_1", "ack": -1, "ackName": "PENDING"}}
    ).encode()

    (event,) = engine.parse_webhook({}, body)

    assert event.data["ack"] is Ack.PENDING
    assert event.event_id == "message.ack:true_x_1:0"


def test_an_event_switchboard_does_not_know_is_other(engine):
    body = json.dumps({"event": "presence.update", "payload": {"id": CHAT}}).encode()

    (event,) = engine.parse_webhook({}, body)

    assert event.kind is EventKind.OTHER
    assert event.raw_event == "presence.update"
    assert event.data == {}
    assert event.event_id == f"presence.update:{CHAT}"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'"message"',
        b'{"payload": {}}',
        b'{"event": 5, "payload": {}}',
        b'{"event": "message"}',
        b'{"event": "message", "payload": [1]}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_raises_value_error(engine, body):
    with pytest.raises(ValueError):
        engine.parse_webhook({}, body)
