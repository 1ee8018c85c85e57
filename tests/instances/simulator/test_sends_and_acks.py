from __future__ import annotations

import re

import pytest

CHAT = "15550009999@c.us"
MEDIA = {"mimetype": "image/jpeg", "url": "https://example.com/cat.jpg", "filename": "cat.jpg"}
SENDS = {
    "sendText": {"text": "Hello"},
    "reply": {"text": "Hello", "reply_to": f"false_{CHAT}_3EB0AAAA"},
    "sendImage": {"file": MEDIA, "caption": "A cat"},
    "sendFile": {"file": {"mimetype": "application/pdf", "data": "JVBERi0=", "filename": "a.pdf"}},
    "sendVideo": {"file": {"mimetype": "video/mp4", "url": "https://example.com/v.mp4"}},
    "sendVoice": {"file": {"mimetype": "audio/ogg; codecs=opus", "url": "https://e.com/v.opus"}},
    "sendLocation": {"latitude": 38.89, "longitude": -77.09, "title": "Office"},
    "sendContactVcard": {"contacts": [{"fullName": "Ada", "phoneNumber": "+15550001111"}]},
    "sendPoll": {"poll": {"name": "Lunch?", "options": ["Yes", "No"], "multipleAnswers": False}},
    "sendLinkPreview": {"url": "https://example.com", "title": "Example"},
    "sendLinkCustomPreview": {"text": "See", "preview": {"url": "https://e.com", "title": "E"}},
    "sendList": {"message": {"title": "Menu", "button": "Open", "sections": []}},
}


def send_text(api, text="Hello", chat_id=CHAT, **extra):
    return api.post(
        "/api/sendText", json={"session": "default", "chatId": chat_id, "text": text, **extra}
    )


def test_send_text_answers_201_with_a_waha_message_object(link_session, api):
    link_session()

    response = send_text(api)

    assert response.status_code == 201
    message = response.json()
    assert re.fullmatch(rf"true_{re.escape(CHAT)}_3EB0[0-9A-F]{{16}}", message["id"])
    assert message["from"] == "15550001234@c.us"
    assert message["to"] == CHAT
    assert message["fromMe"] is True
    assert message["body"] == "Hello"
    assert message["hasMedia"] is False
    assert (message["ack"], message["ackName"]) == (1, "SERVER")
    assert isinstance(message["timestamp"], int)


@pytest.mark.parametrize("endpoint", sorted(SENDS))
def test_every_send_endpoint_is_accepted_and_recorded(simulator, link_session, api, endpoint):
    link_session()

    response = api.post(
        f"/api/{endpoint}", json={"session": "default", "chatId": CHAT, **SENDS[endpoint]}
    )

    assert response.status_code == 201, response.json()
    [record] = simulator.state.sent("default")
    assert record.endpoint == endpoint
    assert record.message["id"] == response.json()["id"]


def test_media_sends_carry_the_media_object(link_session, api):
    link_session()

    message = api.post(
        "/api/sendImage", json={"session": "default", "chatId": CHAT, **SENDS["sendImage"]}
    ).json()

    assert message["hasMedia"] is True
    assert message["body"] == "A cat"
    assert message["media"] == {**MEDIA, "error": None}


def test_a_client_generated_id_is_honoured(link_session, api):
    link_session()

    bare = send_text(api, id="my-client-id").json()
    serialized = send_text(api, id=f"true_{CHAT}_ALREADY1").json()

    assert bare["id"] == f"true_{CHAT}_my-client-id"
    assert serialized["id"] == f"true_{CHAT}_ALREADY1"


def test_sending_the_same_client_id_twice_sends_only_once(simulator, link_session, api):
    link_session()

    first = send_text(api, id="once").json()
    second = send_text(api, id="once").json()

    assert first["id"] == second["id"]
    assert len(simulator.state.sent("default")) == 1


def test_the_messages_control_endpoint_lists_what_went_out(link_session, api):
    link_session()
    send_text(api, "one")
    send_text(api, "two")

    records = api.get("/simulator/sessions/default/messages").json()

    assert [r["message"]["body"] for r in records] == ["one", "two"]
    assert records[0]["direction"] == "outgoing"
    assert records[0]["request"]["text"] == "one"


def test_missing_fields_are_a_400_with_a_list(link_session, api):
    link_session()

    response = api.post("/api/sendText", json={"session": "default"})

    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": ["chatId should not be empty", "text should not be empty"],
        "error": "Bad Request",
    }


def test_sending_on_a_session_that_is_not_working_is_a_422(simulator, api):
    api.post("/api/sessions", json={"name": "default"})
    api.get("/api/sessions/default")

    response = send_text(api)

    assert response.status_code == 422
    assert response.json() == {
        "error": "Session status is not as expected. Try again later or restart the session",
        "session": "default",
        "status": "SCAN_QR_CODE",
        "expected": ["WORKING"],
    }
    assert simulator.state.sent("default") == []


@pytest.mark.parametrize("stopped", ["stopped", "missing"])
def test_sending_on_a_stopped_or_unknown_session_is_a_404(link_session, api, stopped):
    link_session()
    if stopped == "stopped":
        api.post("/api/sessions/default/stop")
    else:
        api.delete("/api/sessions/default")

    response = send_text(api)

    assert response.status_code == 404
    assert response.json()["message"].startswith("We didn't find a session with name 'default'")
    assert "POST /api/sessions/default/start" in response.json()["message"]


def test_acks_follow_a_send_as_message_ack_webhooks(link_session, api, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("message.ack",))

    message = send_text(api).json()

    hooks = webhook_receiver.wait_for(3)
    assert [hook.payload for hook in hooks] == [
        {
            "id": message["id"],
            "from": "15550001234@c.us",
            "to": CHAT,
            "participant": None,
            "fromMe": True,
            "ack": ack,
            "ackName": name,
        }
        for ack, name in ((1, "SERVER"), (2, "DEVICE"), (3, "READ"))
    ]


def test_a_send_posts_message_any_with_source_api(link_session, api, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("message.any", "message"))

    message = send_text(api).json()

    [hook] = webhook_receiver.wait_for(1)
    assert hook.event == "message.any"
    assert hook.payload["id"] == message["id"]
    assert hook.payload["source"] == "api"


def test_a_number_not_on_whatsapp_only_gets_the_server_ack(
    simulator, link_session, api, webhook_receiver
):
    link_session(webhook_url=webhook_receiver.url, events=("message.ack",))

    send_text(api, chat_id="15550000000@c.us")

    assert simulator.dispatcher.wait_idle()
    assert [hook.payload["ackName"] for hook in webhook_receiver.events()] == ["SERVER"]


def test_ack_delays_hold_the_acks_back(simulator, link_session, api, webhook_receiver):
    simulator.state.ack_delays = (0.0, 0.3, 30.0)
    link_session(webhook_url=webhook_receiver.url, events=("message.ack",))

    send_text(api)

    hooks = webhook_receiver.wait_for(2)
    assert [hook.payload["ackName"] for hook in hooks] == ["SERVER", "DEVICE"]
    assert simulator.state.sent("default")[0].message["ackName"] == "DEVICE"
    assert len(webhook_receiver.events()) == 2


def test_a_reaction_is_a_put_answering_200(simulator, link_session, api, webhook_receiver):
    link_session(webhook_url=webhook_receiver.url, events=("message.reaction",))
    target = f"false_{CHAT}_3EB0ABCDEF"

    response = api.put(
        "/api/reaction", json={"session": "default", "messageId": target, "reaction": "👍"}
    )

    assert response.status_code == 200
    assert response.json()["to"] == CHAT
    [hook] = webhook_receiver.wait_for(1)
    assert hook.payload["reaction"] == {"text": "👍", "messageId": target}
    assert simulator.state.sent("default")[0].endpoint == "reaction"


@pytest.mark.parametrize(
    ("endpoint", "body"), [("sendSeen", b"{}"), ("startTyping", b""), ("stopTyping", b"")]
)
def test_chat_actions_are_remembered_but_send_nothing(simulator, link_session, api, endpoint, body):
    link_session()

    response = api.post(f"/api/{endpoint}", json={"session": "default", "chatId": CHAT})

    assert (response.status_code, response.content) == (201, body)
    assert simulator.state.actions("default")[0]["action"] == endpoint
    assert simulator.state.sent("default") == []
