"""message-pro sends: documented fields, multipart media, message look-up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from instances.engines.base import (
    MessageKind,
    NotSupportedError,
    SendRequest,
)
from tests.instances.engines.messagepro.gateway import CHAT, INSTANCE, TOKEN, body_of


def test_send_text_posts_the_seeds_fields_with_priority_and_schedule(api, engine):
    route = api.post(f"/api/v2/{INSTANCE}/send-message").respond(
        200, json={"data": {"id": 9001, "status": "queued"}}
    )
    message = SendRequest(
        CHAT,
        MessageKind.TEXT,
        {"text": "Hallo", "priority": 2, "send_at": datetime(2025, 1, 2, 9, 30, tzinfo=UTC)},
    )

    result = engine.send(message)

    assert body_of(route) == {
        "chat_id": CHAT,
        "text": "Hallo",
        "priority": 2,
        "send_at": "2025-01-02T09:30:00+00:00",
    }
    assert route.calls.last.request.headers["token"] == TOKEN
    assert result.provider_id == "9001"
    assert result.raw_status == "queued"


def test_send_list_posts_the_interactive_payload_with_reply_to(api, engine):
    route = api.post(f"/api/v2/{INSTANCE}/send-list").respond(200, json={"id": "m-1"})
    sections = [{"title": "Food", "rows": [{"title": "Pizza", "rowId": "p1"}]}]
    message = SendRequest(
        CHAT,
        MessageKind.LIST,
        {
            "title": "Menu",
            "description": "Pick one",
            "button_text": "Open",
            "sections": sections,
            "reply_to": "m-0",
        },
    )

    engine.send(message)

    assert body_of(route) == {
        "chat_id": CHAT,
        "interactive": {
            "title": "Menu",
            "description": "Pick one",
            "button": "Open",
            "sections": sections,
        },
        "reply_to": "m-0",
    }


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        (MessageKind.IMAGE, "send-image"),
        (MessageKind.DOCUMENT, "send-file"),
        (MessageKind.VIDEO, "send-video"),
    ],
)
def test_media_is_uploaded_as_multipart_with_the_file_in_media(api, engine, kind, path):
    route = api.post(f"/api/v2/{INSTANCE}/{path}").respond(200, json={"id": "m-2"})
    message = SendRequest(
        CHAT,
        kind,
        {
            "content": b"binary-bytes",
            "filename": "photo.jpg",
            "mimetype": "image/jpeg",
            "caption": "Look",
            "priority": 0,
        },
    )

    result = engine.send(message)

    request = route.calls.last.request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert request.headers["token"] == TOKEN
    body = request.content
    assert b'name="chat_id"\r\n\r\n' + CHAT.encode() in body
    assert b'name="caption"\r\n\r\nLook' in body
    assert b'name="priority"\r\n\r\n0' in body
    assert b'name="media"; filename="photo.jpg"\r\nContent-Type: image/jpeg' in body
    assert b"binary-bytes" in body
    assert result.provider_id == "m-2"


def test_media_given_only_as_a_link_is_refused_because_message_pro_wants_the_file(engine):
    message = SendRequest(CHAT, MessageKind.IMAGE, {"url": "https://cdn.test/a.jpg"})

    with pytest.raises(NotSupportedError, match="needs the file itself"):
        engine.send(message)


@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.VOICE,
        MessageKind.LOCATION,
        MessageKind.CONTACT,
        MessageKind.POLL,
        MessageKind.LINK_PREVIEW,
        MessageKind.REACTION,
    ],
)
def test_kinds_the_seed_does_not_document_are_not_supported(engine, kind):
    with pytest.raises(NotSupportedError):
        engine.send(SendRequest(CHAT, kind, {}))


def test_lookup_message_reads_message_pros_record(api, engine):
    api.get(f"/api/v2/{INSTANCE}/messages/9001").respond(
        200, json={"data": {"id": 9001, "status": "sent"}}
    )

    result = engine.lookup_message(CHAT, "9001")

    assert result.provider_id == "9001"
    assert result.raw_status == "sent"


def test_lookup_message_answers_none_for_an_unknown_message(api, engine):
    api.get(f"/api/v2/{INSTANCE}/messages/404").respond(404, json={"message": "Not found"})

    assert engine.lookup_message(CHAT, "404") is None
