"""The waha engine sends each kind of message, checks numbers and looks messages up."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    MessageKind,
    NotSupportedError,
    PermanentError,
    SendRequest,
)
from tests.instances.engines.waha.conftest import (
    API_KEY,
    CHAT,
    body_of,
)


def test_check_exists_asks_with_the_phone_digits_and_session(api, engine):
    api.get(
        "/api/contacts/check-exists", params={"phone": "4917612345678", "session": "default"}
    ).respond(200, json={"numberExists": True, "chatId": CHAT})

    result = engine.check_exists("+49 176 12345678")

    assert result.exists is True
    assert result.chat_id == CHAT


def test_check_exists_reports_a_number_not_on_whatsapp(api, engine):
    api.get("/api/contacts/check-exists").respond(200, json={"numberExists": False})

    result = engine.check_exists("4900000")

    assert result.exists is False
    assert result.chat_id == ""


def test_lookup_message_reads_the_message_in_its_chat(api, engine):
    message_id = f"true_{CHAT}_3EB0A1B2C3D4E5F60718"
    api.get(f"/api/default/chats/{CHAT}/messages/{message_id}").respond(
        200, json={"id": message_id, "ack": 2, "ackName": "DEVICE"}
    )

    result = engine.lookup_message(CHAT, message_id)

    assert result.provider_id == message_id
    assert result.raw_status == "DEVICE"


def test_lookup_message_answers_none_when_the_gateway_has_no_such_message(api, engine):
    api.get(f"/api/default/chats/{CHAT}/messages/true_x").respond(
        404, json={"statusCode": 404, "message": "Message not found"}
    )

    assert engine.lookup_message(CHAT, "true_x") is None


# Sending.

MEDIA = {"url": "https://cdn.test/a.jpg", "mimetype": "image/jpeg", "filename": "a.jpg"}
SENDS = [
    (MessageKind.TEXT, {"text": "Hi"}, "POST", "/api/sendText", {"text": "Hi"}),
    (
        MessageKind.TEXT,
        {"text": "Hi", "link_preview": False},
        "POST",
        "/api/sendText",
        {"text": "Hi", "linkPreview": False},
    ),
    (
        MessageKind.IMAGE,
        {**MEDIA, "caption": "Look"},
        "POST",
        "/api/sendImage",
        {"file": MEDIA, "caption": "Look"},
    ),
    (
        MessageKind.DOCUMENT,
        {"url": "https://cdn.test/invoice.pdf"},
        "POST",
        "/api/sendFile",
        {"file": {"url": "https://cdn.test/invoice.pdf", "mimetype": "application/pdf"}},
    ),
    (
        MessageKind.VIDEO,
        {"url": "https://cdn.test/v.mp4", "mimetype": "video/mp4", "caption": "Demo"},
        "POST",
        "/api/sendVideo",
        {"file": {"url": "https://cdn.test/v.mp4", "mimetype": "video/mp4"}, "caption": "Demo"},
    ),
    (
        MessageKind.VOICE,
        {"url": "https://cdn.test/n.opus", "mimetype": "audio/ogg; codecs=opus"},
        "POST",
        "/api/sendVoice",
        {"file": {"url": "https://cdn.test/n.opus", "mimetype": "audio/ogg; codecs=opus"}},
    ),
    (
        MessageKind.LOCATION,
        {"latitude": "52.52", "longitude": 13.405, "title": "Office"},
        "POST",
        "/api/sendLocation",
        {"latitude": 52.52, "longitude": 13.405, "title": "Office"},
    ),
    (
        MessageKind.CONTACT,
        {"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"},
        "POST",
        "/api/sendContactVcard",
        {"contacts": [{"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"}]},
    ),
    (
        MessageKind.CONTACT,
        {"contacts": [{"fullName": "Jane", "phoneNumber": "+49 1", "vcard": None}]},
        "POST",
        "/api/sendContactVcard",
        {"contacts": [{"fullName": "Jane", "phoneNumber": "+49 1", "vcard": None}]},
    ),
    (
        MessageKind.POLL,
        {"name": "Lunch?", "options": ["Yes", "No"], "multiple": True},
        "POST",
        "/api/sendPoll",
        {"poll": {"name": "Lunch?", "options": ["Yes", "No"], "multipleAnswers": True}},
    ),
    (
        MessageKind.LINK_PREVIEW,
        {"text": "Our new shop", "url": "https://shop.test", "title": "Shop"},
        "POST",
        "/api/sendText",
        {"text": "Our new shop\nhttps://shop.test", "linkPreview": True},
    ),
    (
        MessageKind.REACTION,
        {"message_id": f"false_{CHAT}_AAA", "emoji": "👍"},
        "PUT",
        "/api/reaction",
        {"messageId": f"false_{CHAT}_AAA", "reaction": "👍"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "payload", "method", "path", "expected"),
    SENDS,
    ids=[f"{kind.value}-{index}" for index, (kind, *_rest) in enumerate(SENDS)],
)
def test_send_uses_the_documented_endpoint_and_fields_for_each_kind(
    api, engine, kind, payload, method, path, expected
):
    route = api.request(method, path).respond(201, json={"id": f"true_{CHAT}_NEW"})

    result = engine.send(SendRequest(chat_id=CHAT, kind=kind, payload=payload))

    assert body_of(route) == {"session": "default", "chatId": CHAT, **expected}
    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY
    assert result.provider_id == f"true_{CHAT}_NEW"


def test_send_includes_reply_to_and_the_client_generated_id(api, engine):
    route = api.post("/api/sendText").respond(201, json={"id": f"true_{CHAT}_C1"})
    message = SendRequest(
        chat_id=CHAT,
        kind=MessageKind.TEXT,
        payload={"text": "Sure", "reply_to": f"false_{CHAT}_Q1"},
        client_id="C1",
    )

    engine.send(message)

    assert body_of(route) == {
        "session": "default",
        "chatId": CHAT,
        "text": "Sure",
        "reply_to": f"false_{CHAT}_Q1",
        "id": "C1",
    }


@pytest.mark.parametrize(
    ("answer", "provider_id"),
    [
        ({"id": {"fromMe": True, "_serialized": f"true_{CHAT}_WEBJS"}}, f"true_{CHAT}_WEBJS"),
        ({"id": f"true_{CHAT}_PLAIN", "ackName": "PENDING"}, f"true_{CHAT}_PLAIN"),
        (
            {"key": {"remoteJid": "4917612345678@s.whatsapp.net", "fromMe": True, "id": "BAE5"}},
            f"true_{CHAT}_BAE5",
        ),
        ({}, ""),
    ],
    ids=["webjs-object", "string", "noweb-key", "no-id"],
)
def test_send_reads_the_provider_id_in_every_engine_shape(api, engine, answer, provider_id):
    api.post("/api/sendText").respond(201, json=answer)

    result = engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))

    assert result.provider_id == provider_id


def test_list_messages_are_not_supported_by_waha_2024_10(engine):
    message = SendRequest(CHAT, MessageKind.LIST, {"title": "Menu", "sections": []})

    with pytest.raises(NotSupportedError):
        engine.send(message)


def test_a_payload_missing_a_required_field_is_a_permanent_error(engine):
    with pytest.raises(PermanentError, match="image"):
        engine.send(SendRequest(CHAT, MessageKind.IMAGE, {"caption": "no url"}))
