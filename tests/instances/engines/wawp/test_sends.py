"""Wawp sends: each kind's documented endpoint and body."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    MessageKind,
    SendRequest,
)
from tests.instances.engines.wawp.gateway import (
    AUTH,
    CHAT,
    SENT,
    XML_SUCCESS,
    body_of,
    query_of,
    send,
)

# Sending.

FILE = {"url": "https://cdn.test/a.jpg", "filename": "a.jpg", "mimetype": "image/jpeg"}
SENDS = [
    (MessageKind.TEXT, {"text": "Hello"}, "POST", "/v2/send/text", {"message": "Hello"}),
    (
        MessageKind.IMAGE,
        {**FILE, "caption": "Look"},
        "POST",
        "/v2/send/image",
        {"file": FILE, "caption": "Look"},
    ),
    (
        MessageKind.DOCUMENT,
        {"url": "https://cdn.test/files/invoice.pdf"},
        "POST",
        "/v2/send/pdf",
        {
            "file": {
                "url": "https://cdn.test/files/invoice.pdf",
                "filename": "invoice.pdf",
                "mimetype": "application/pdf",
            },
            "caption": "",
        },
    ),
    (
        MessageKind.VIDEO,
        {"url": "https://cdn.test/v.mp4", "caption": "Demo"},
        "POST",
        "/v2/send/video",
        {
            "file": {"url": "https://cdn.test/v.mp4", "filename": "v.mp4", "mimetype": "video/mp4"},
            "caption": "Demo",
            "convert": False,
            "asNote": False,
        },
    ),
    (
        MessageKind.VOICE,
        {"url": "https://cdn.test/note.mp3", "mimetype": "audio/mpeg"},
        "POST",
        "/v2/send/voice",
        {
            "file": {
                "url": "https://cdn.test/note.mp3",
                "filename": "note.mp3",
                "mimetype": "audio/mpeg",
            },
            "convert": True,
        },
    ),
    (
        MessageKind.LIST,
        {
            "title": "Menu",
            "description": "Pick one",
            "footer": "Thanks",
            "button_text": "Open",
            "sections": [{"title": "Food", "rows": [{"title": "Pizza", "rowId": "p1"}]}],
        },
        "POST",
        "/v2/send/list",
        {
            "message": {
                "title": "Menu",
                "description": "Pick one",
                "footer": "Thanks",
                "button": "Open",
                "sections": [{"title": "Food", "rows": [{"title": "Pizza", "rowId": "p1"}]}],
            }
        },
    ),
    (
        MessageKind.LOCATION,
        {"latitude": 38.8937255, "longitude": -77.0969763, "title": "Our office"},
        "POST",
        "/v2/send/location",
        {
            "latitude": "38.8937255",
            "longitude": "-77.0969763",
            "title": "Our office",
            "message": "",
        },
    ),
    (
        MessageKind.POLL,
        {"name": "Lunch?", "options": ["Yes", "No"]},
        "POST",
        "/v2/send/poll",
        {"poll": {"name": "Lunch?", "options": ["Yes", "No"], "multipleAnswers": False}},
    ),
    (
        MessageKind.CONTACT,
        {"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"},
        "POST",
        "/v2/send/contact",
        {"contacts": [{"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"}]},
    ),
    (
        MessageKind.LINK_PREVIEW,
        {
            "text": "New shop",
            "url": "https://shop.test",
            "title": "Shop",
            "description": "Open now",
            "image_url": "https://shop.test/card.jpg",
        },
        "POST",
        "/v2/send/link-preview",
        {
            "url": "https://shop.test",
            "text": "New shop",
            "thumbnail": "https://shop.test/card.jpg",
            "title": "Shop",
            "description": "Open now",
            "linkPreviewHighQuality": True,
        },
    ),
    (
        MessageKind.REACTION,
        {"message_id": f"false_{CHAT}_AAA", "emoji": "❤️"},
        "PUT",
        "/v2/send/reaction",
        {"messageId": f"false_{CHAT}_AAA", "reaction": "❤️"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "payload", "method", "path", "expected"),
    SENDS,
    ids=[kind.value for kind, *_rest in SENDS],
)
def test_send_puts_the_content_in_the_body_of_the_documented_endpoint(
    api, engine, kind, payload, method, path, expected
):
    route = api.request(method, path).respond(200, json=SENT)

    result = engine.send(SendRequest(chat_id=CHAT, kind=kind, payload=payload))

    assert body_of(route) == {"chatId": CHAT, **expected}
    # Only the credentials ride in the URL; message content never does.
    assert query_of(route) == AUTH
    assert result.provider_id == "true_000000000000@c.us_MSG_ID_123456"


def test_send_includes_reply_to_when_given(api, engine):
    route = api.post("/v2/send/text").respond(200, json=SENT)

    send(engine, MessageKind.TEXT, text="Sure", reply_to=f"false_{CHAT}_Q1")

    assert body_of(route) == {"chatId": CHAT, "message": "Sure", "reply_to": f"false_{CHAT}_Q1"}


def test_an_xml_success_on_send_has_no_provider_id(api, engine):
    api.post("/v2/send/text").respond(200, text=XML_SUCCESS)

    assert send(engine, MessageKind.TEXT, text="Hi").provider_id == ""
