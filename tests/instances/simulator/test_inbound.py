from __future__ import annotations

import re

import httpx
import pytest


def inbound(api, **body):
    return api.post("/simulator/sessions/default/inbound", json=body)


def test_an_inbound_message_posts_message_and_message_any(link_session, api, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("message", "message.any"))

    response = inbound(api, **{"from": "+15550001111", "text": "Hi there", "pushName": "Bob"})

    assert response.status_code == 201
    hooks = webhook_receiver.wait_for(2)
    assert [hook.event for hook in hooks] == ["message", "message.any"]
    payload = hooks[0].payload
    assert payload == hooks[1].payload == response.json()
    assert re.fullmatch(r"false_15550001111@c\.us_3EB0[0-9A-F]{16}", payload["id"])
    assert payload["from"] == "15550001111@c.us"
    assert payload["to"] == "15550001234@c.us"
    assert payload["fromMe"] is False
    assert payload["body"] == "Hi there"
    assert (payload["hasMedia"], payload["media"]) == (False, None)
    assert payload["_data"]["pushName"] == "Bob"


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (("message",), ["message"]),
        (("message.any",), ["message.any"]),
        (("*",), ["message", "message.any"]),
        (("session.status",), []),
    ],
)
def test_only_subscribed_events_are_posted(
    simulator, link_session, api, webhook_receiver, events, expected
):
    link_session(webhook_url=webhook_receiver.url, events=events)
    simulator.dispatcher.wait_idle()
    already = len(webhook_receiver.events())

    inbound(api, **{"from": "+15550001111", "text": "Hi"})

    assert simulator.dispatcher.wait_idle()
    assert [hook.event for hook in webhook_receiver.events()[already:]] == expected


def test_a_lid_sender_has_no_phone_until_looked_up(link_session, api, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("message",))

    inbound(api, **{"from": "123456789@lid", "text": "Hi", "phone": "+15550003333"})

    [hook] = webhook_receiver.wait_for(1)
    assert hook.payload["from"] == "123456789@lid"
    assert "15550003333" not in hook.body.decode()
    for lid in ("123456789@lid", "123456789"):
        response = api.get(f"/api/default/lids/{lid}")
        assert response.json() == {"lid": "123456789@lid", "pn": "15550003333@c.us"}


def test_an_unknown_lid_answers_a_null_phone_like_waha(link_session, api):
    link_session()

    unknown = api.get("/api/default/lids/999@lid")
    invalid = api.get("/api/default/lids/15550001111@c.us")

    assert (unknown.status_code, unknown.json()) == (200, {"lid": "999@lid", "pn": None})
    assert invalid.status_code == 422


def test_inbound_media_has_a_url_that_needs_the_api_key(simulator, link_session, api):
    link_session()

    message = inbound(
        api,
        **{
            "from": "+15550001111",
            "text": "",
            "media": {"mimetype": "image/jpeg", "filename": "a.jpg"},
        },
    ).json()

    media = message["media"]
    assert message["hasMedia"] is True
    assert (media["mimetype"], media["filename"], media["error"]) == ("image/jpeg", "a.jpg", None)
    assert media["url"].startswith(f"{simulator.url}/api/files/default/")
    assert httpx.get(media["url"]).status_code == 401
    download = api.get(media["url"])
    assert (download.status_code, download.headers["content-type"]) == (200, "image/jpeg")


def test_inbound_media_can_fail_to_download(link_session, api):
    link_session()

    message = inbound(
        api, **{"from": "+15550001111", "media": {"mimetype": "video/mp4", "error": True}}
    ).json()

    assert message["hasMedia"] is True
    assert message["media"]["url"] is None
    assert message["media"]["error"] == {"message": "Media download failed"}


def test_inbound_needs_a_working_session_and_a_sender(link_session, api):
    api.post("/api/sessions", json={"name": "default", "start": False})

    stopped = inbound(api, **{"from": "+15550001111", "text": "Hi"})
    api.delete("/api/sessions/default")
    link_session()
    no_sender = inbound(api, text="Hi")

    assert stopped.status_code == 404
    assert no_sender.status_code == 400
    assert no_sender.json()["message"] == ["from must be a phone number or a chat id"]
