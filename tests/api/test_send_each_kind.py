"""Each message kind is queued through enqueue with seed 002's names mapped to its payload."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from django.db import connection

from instances.models import OutboundMessage
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

VCARD = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nTEL:+4915123456789\nEND:VCARD"
SECTIONS_IN = [{"title": "Sizes", "rows": [{"id": "s", "title": "Small", "description": "S"}]}]

# (path, content sent, kind stored, payload stored)
CASES = [
    (
        "text",
        {"text": "Hello", "linkPreview": False},
        "text",
        {"text": "Hello", "link_preview": False},
    ),
    (
        "image",
        {"url": "https://x.test/a.jpg", "caption": "Hi"},
        "image",
        {"url": "https://x.test/a.jpg", "caption": "Hi"},
    ),
    ("video", {"url": "https://x.test/a.mp4"}, "video", {"url": "https://x.test/a.mp4"}),
    (
        "document",
        {"url": "https://x.test/a.pdf", "filename": "a.pdf"},
        "document",
        {"url": "https://x.test/a.pdf", "filename": "a.pdf"},
    ),
    ("voice", {"url": "https://x.test/a.ogg"}, "voice", {"url": "https://x.test/a.ogg"}),
    (
        "location",
        {"latitude": 52.5, "longitude": 13.4, "title": "Office"},
        "location",
        {"latitude": 52.5, "longitude": 13.4, "title": "Office"},
    ),
    ("contact", {"vcard": VCARD}, "contact", {"vcard": VCARD}),
    (
        "poll",
        {"name": "Lunch?", "options": ["Yes", "No"], "multipleAnswers": True},
        "poll",
        {"name": "Lunch?", "options": ["Yes", "No"], "multiple": True},
    ),
    (
        "list",
        {"title": "Menu", "description": "Pick", "buttonText": "Open", "sections": SECTIONS_IN},
        "list",
        {"title": "Menu", "description": "Pick", "button_text": "Open", "sections": SECTIONS_IN},
    ),
    (
        "reaction",
        {"messageId": "true_491@c.us_ABC", "emoji": "👍"},
        "reaction",
        {"message_id": "true_491@c.us_ABC", "emoji": "👍"},
    ),
    (
        "link-preview",
        {"url": "https://x.test", "text": "See", "imageUrl": "https://x.test/i.png"},
        "link_preview",
        {"url": "https://x.test", "text": "See", "image_url": "https://x.test/i.png"},
    ),
]


@pytest.mark.parametrize(("path", "content", "kind", "payload"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_is_queued_with_its_payload(call, make_key, sales, path, content, kind, payload):
    if path == "list":
        sales = InstanceFactory(name="Lists", engine="messagepro")  # WAHA has no list route
    body = {"profileId": str(sales.uuid), "chatId": "+49 151 2345 6789", "content": content}
    response = call("post", f"messages/{path}", token=make_key(), json=body)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    message = OutboundMessage.objects.get()
    assert (message.kind, message.payload, message.chat_id) == (kind, payload, "4915123456789@c.us")
    assert data["id"] == str(message.client_id)
    assert data["status"] == "queued"
    assert data["content"] == content


def test_priority_and_send_time_are_kept(call, make_key, sales):
    body = {
        "profileId": str(sales.uuid),
        "chatId": "4915123456789@c.us",
        "content": {"text": "Later"},
        "priority": 7,
        "sendAt": "2031-01-02T03:04:05Z",
    }
    assert call("post", "messages/text", token=make_key(), json=body).status_code == 201
    message = OutboundMessage.objects.get()
    assert message.priority == 7
    assert message.send_at == datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_list_row_problem_is_named_by_its_path(call, make_key, sales):
    sections = [{"title": "Sizes", "rows": [{"id": "s", "title": " "}]}]
    content = {"title": "Menu", "description": "Pick", "buttonText": "Open", "sections": sections}
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": content}
    error = call("post", "messages/list", token=make_key(), json=body).json()["error"]
    assert "content.sections.0.rows.0.title" in error["details"]


def test_a_queued_message_can_be_looked_up_with_its_status(call, make_key, sales):
    token = make_key()
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}
    queued = call("post", "messages/text", token=token, json=body).json()["data"]
    OutboundMessage.objects.update(status="delivered", provider_id="true_49@c.us_X")
    looked_up = call("get", f"messages/{queued['id']}", token=make_key("read_only"))
    assert looked_up.status_code == 200
    data = looked_up.json()["data"]
    assert (data["status"], data["providerMessageId"]) == ("delivered", "true_49@c.us_X")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_file_can_be_sent_in_the_body_as_base64(call, make_key, sales, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    content = {"base64": base64.b64encode(PNG).decode(), "filename": "menu.png", "caption": "Hi"}
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": content}
    response = call("post", "messages/image", token=make_key(), json=body)
    assert response.status_code == 201, response.content
    message = OutboundMessage.objects.get()
    assert message.payload["mimetype"] == "image/png"
    assert message.payload["url"].startswith(settings.PUBLIC_BASE_URL)
    assert (tmp_path / message.media_name).read_bytes() == PNG


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"base64": "not base64!", "filename": "a.png"}, "Must be base64."),
        ({"base64": base64.b64encode(b"MZ\x90\x00").decode(), "filename": "a.png"}, "content"),
    ],
)
def test_a_bad_base64_file_is_refused_by_field(
    call, make_key, sales, settings, tmp_path, content, problem
):
    settings.MEDIA_ROOT = str(tmp_path)
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": content}
    response = call("post", "messages/image", token=make_key(), json=body)
    assert response.status_code == 422
    assert problem in " ".join(response.json()["error"]["details"]["content.base64"])
    assert not OutboundMessage.objects.exists()


def test_a_send_time_with_any_offset_is_kept_as_the_same_instant(call, make_key, sales):
    body = {
        "profileId": str(sales.uuid),
        "chatId": "4915123456789@c.us",
        "content": {"text": "Later"},
        "sendAt": "2031-01-02T20:33:05+16:29",
    }
    assert call("post", "messages/text", token=make_key(), json=body).status_code == 201
    assert OutboundMessage.objects.get().send_at == datetime(2031, 1, 2, 4, 4, 5, tzinfo=UTC)


def test_a_send_time_out_of_range_is_refused_by_field(call, make_key, sales):
    body = {
        "profileId": str(sales.uuid),
        "chatId": "4915123456789@c.us",
        "content": {"text": "Later"},
        "sendAt": "0001-01-01T00:00:00+05:00",
    }
    response = call("post", "messages/text", token=make_key(), json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("sendAt:")
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_profile_deleted_by_another_process_is_not_found_not_a_crash(call, make_key, sales):
    token = make_key()
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}
    assert call("post", "messages/text", token=token, json=body).status_code == 201
    OutboundMessage.objects.all().delete()
    # As another process deletes it: this one gets no signal and still keeps the instance.
    # (Outside a test's transaction, so the send's insert checks its foreign key at once.)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM instances_instance WHERE id = %s", [sales.pk])
    response = call("post", "messages/text", token=token, json=body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
