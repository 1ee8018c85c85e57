"""WAHA's webhook envelopes, recorded in tests/fixtures/waha/, read as typed events."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from instances.engines.base import (
    Ack,
    AckData,
    EditedData,
    EventKind,
    Me,
    Media,
    MessageData,
    ReactionData,
    RevokedData,
    SessionStatus,
    SessionStatusData,
)
from instances.engines.waha import WahaEngine

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "waha"
CHAT = "4917612345678@c.us"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def parse(body: bytes):
    (event,) = WahaEngine.parse_webhook({}, body)
    return event


def test_parses_session_status():
    (event,) = WahaEngine.parse_webhook({}, fixture("session.status"))

    assert event.kind is EventKind.SESSION_STATUS
    assert event.raw_event == "session.status"
    assert event.event_id == "evt_01jc3x8k2mq7v5d9r4t6y1w0za"
    assert event.session == "default"
    assert event.me == Me(id="4915112345678@c.us", push_name="Switchboard Support")
    assert event.occurred_at == datetime(2024, 11, 1, 11, 5, 0, 123000, tzinfo=UTC)
    assert event.data == SessionStatusData(SessionStatus.WORKING, raw_status="WORKING")


def test_parses_an_incoming_message():
    (event,) = WahaEngine.parse_webhook({}, fixture("message"))

    assert event.kind is EventKind.MESSAGE
    assert event.data == MessageData(
        message_id=f"false_{CHAT}_3EB0C767D26A1D8F4A21",
        chat_id=CHAT,
        sender_id=CHAT,
        from_me=False,
        text="Hallo! Ist meine Bestellung schon unterwegs?",
        media=None,
        sent_at=datetime(2024, 11, 1, 11, 6, 1, tzinfo=UTC),
    )
    assert event.problems == ()


def test_parses_message_any_sent_from_the_phone_with_media():
    (event,) = WahaEngine.parse_webhook({}, fixture("message.any"))

    assert event.kind is EventKind.MESSAGE
    assert event.raw_event == "message.any"
    assert event.data.from_me is True
    assert event.data.chat_id == CHAT
    assert event.data.media == Media(
        url=f"http://localhost:3000/api/files/default/true_{CHAT}_3EB0A1B2C3D4E5F60718.pdf",
        mimetype="application/pdf",
        filename="invoice-1042.pdf",
    )


def test_parses_an_ack():
    (event,) = WahaEngine.parse_webhook({}, fixture("message.ack"))

    assert event.kind is EventKind.ACK
    assert event.data == AckData(
        message_id=f"true_{CHAT}_3EB0A1B2C3D4E5F60718", chat_id=CHAT, ack=Ack.READ
    )


def test_parses_a_reaction_nested_the_waha_way():
    (event,) = WahaEngine.parse_webhook({}, fixture("message.reaction"))

    assert event.kind is EventKind.REACTION
    assert event.data == ReactionData(
        message_id=f"true_{CHAT}_3EB0A1B2C3D4E5F60718", emoji="👍", sender_id=CHAT
    )


def test_parses_a_revoke_completing_wahas_bare_message_id():
    (event,) = WahaEngine.parse_webhook({}, fixture("message.revoked"))

    assert event.kind is EventKind.REVOKED
    assert event.data == RevokedData(message_id=f"false_{CHAT}_3EB0C767D26A1D8F4A21")


def test_parses_an_edit_with_the_edited_message_id_and_new_text():
    (event,) = WahaEngine.parse_webhook({}, fixture("message.edited"))

    assert event.kind is EventKind.EDITED
    assert event.data == EditedData(
        message_id=f"false_{CHAT}_3EB0C767D26A1D8F4A21",
        text="Hallo! Ist meine Bestellung #1042 schon unterwegs?",
    )


def test_an_old_style_status_report_without_id_has_no_event_id_so_it_is_always_applied():
    event = parse(fixture("session.status.old"))

    assert event.event_id == ""
    assert event.occurred_at is None
    assert event.me is None
    assert event.data.status is SessionStatus.SCAN_QR_CODE


def test_an_old_style_event_without_any_id_falls_back_to_the_body_hash():
    body = json.dumps({"event": "presence.update", "payload": {"presences": []}}).encode()

    assert parse(body).event_id == f"sha256:{hashlib.sha256(body).hexdigest()}"


def test_an_old_style_ack_falls_back_to_the_event_payload_id_and_ack():
    (event,) = WahaEngine.parse_webhook({}, fixture("message.ack.old"))

    assert event.event_id == f"message.ack:true_{CHAT}_3EB0A1B2C3D4E5F60718:2"
    assert event.data.ack is Ack.DEVICE


def test_an_ack_name_wins_over_the_number():
    body = json.dumps(
        {"event": "message.ack", "payload": {"id": "true_x_1", "ack": -1, "ackName": "PENDING"}}
    ).encode()

    (event,) = WahaEngine.parse_webhook({}, body)

    assert event.data.ack is Ack.PENDING
    assert event.event_id == "message.ack:true_x_1:0"


def test_an_event_switchboard_does_not_know_is_other():
    body = json.dumps({"event": "presence.update", "payload": {"id": CHAT}}).encode()

    (event,) = WahaEngine.parse_webhook({}, body)

    assert event.kind is EventKind.OTHER
    assert event.raw_event == "presence.update"
    assert event.data is None
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
def test_a_malformed_body_raises_value_error(body):
    with pytest.raises(ValueError):
        WahaEngine.parse_webhook({}, body)


def test_a_status_that_is_not_a_word_is_unknown_and_reported():
    body = json.dumps({"event": "session.status", "payload": {"status": ["WORKING"]}}).encode()

    event = parse(body)

    assert event.data.status is SessionStatus.UNKNOWN
    assert event.problems == ("payload.status is not a string",)


def test_malformed_message_fields_are_reported_not_read_as_empty():
    envelope = json.loads(fixture("message"))
    envelope["payload"].update(body=42, fromMe="yes", media="photo.jpg")

    event = parse(json.dumps(envelope).encode())

    assert event.data.text == ""
    assert set(event.problems) == {
        "payload.fromMe is not true or false",
        "payload.body is not a string",
        "payload.media is not an object",
    }


def test_a_reply_names_the_quoted_message_and_a_group_message_its_author():
    envelope = json.loads(fixture("message"))
    envelope["payload"].update(
        {
            "from": "120363000000000000@g.us",
            "participant": CHAT,
            "replyTo": {"id": "AAA111", "participant": CHAT, "body": "earlier"},
        }
    )

    event = parse(json.dumps(envelope).encode())

    assert event.data.chat_id == "120363000000000000@g.us"
    assert event.data.sender_id == CHAT
    assert event.data.quoted_id == "AAA111"


def test_media_announced_without_a_description_says_so():
    envelope = json.loads(fixture("message"))
    envelope["payload"].update(hasMedia=True, media=None)

    event = parse(json.dumps(envelope).encode())

    assert event.data.media is not None
    assert "no description" in event.data.media.error


def test_the_event_keeps_the_whole_envelope_for_the_event_log():
    event = parse(fixture("message"))

    assert event.envelope == json.loads(fixture("message"))
