"""The chat-api and WhautoChat simulators answer like the gateways' references say."""

from __future__ import annotations

import httpx

from tests.companion_fixture import CHATAPI_INSTANCE, CHATAPI_TOKEN, WHAUTOCHAT_KEY


def chatapi(sim, method: str, name: str, **kwargs) -> httpx.Response:
    url = f"{sim.url}/instance{CHATAPI_INSTANCE}/{name}"
    params = {"token": CHATAPI_TOKEN, **kwargs.pop("params", {})}
    return httpx.request(method, url, params=params, timeout=5, **kwargs)


def test_chatapi_refuses_a_wrong_token(chatapi_sim):
    response = httpx.get(
        f"{chatapi_sim.url}/instance{CHATAPI_INSTANCE}/status", params={"token": "nope"}
    )

    assert response.status_code == 403


def test_chatapi_shows_a_qr_code_until_scanned(chatapi_sim):
    before = chatapi(chatapi_sim, "GET", "status").json()
    chatapi_sim.scan()
    after = chatapi(chatapi_sim, "GET", "status").json()

    assert before["accountStatus"] == "got qr code"
    assert before["qrCode"].startswith("data:image/png;base64,")
    assert after == {"accountStatus": "authenticated"}


def test_chatapi_wants_exactly_one_of_phone_and_chat_id(chatapi_sim):
    both = {"phone": "17472822486", "chatId": "17472822486@c.us", "body": "Hi"}

    assert chatapi(chatapi_sim, "POST", "sendMessage", json=both).status_code == 400
    assert chatapi(chatapi_sim, "POST", "sendMessage", json={"body": "Hi"}).status_code == 400


def test_chatapi_queues_sends_until_the_account_is_linked_then_numbers_them(chatapi_sim):
    sent = chatapi(chatapi_sim, "POST", "sendMessage", json={"phone": "17472822486", "body": "Hi"})
    waiting = chatapi(chatapi_sim, "GET", "showMessagesQueue").json()
    chatapi_sim.scan()
    history = chatapi(chatapi_sim, "GET", "messages", params={"lastMessageNumber": "0"}).json()

    assert sent.json() == {"sent": True, "message": "ok"}
    assert waiting["totalMessages"] == 1
    assert waiting["first100"][0]["chatId"] == "17472822486@c.us"
    (entry,) = history["messages"]
    assert entry["fromMe"] is True and entry["body"] == "Hi"
    assert history["lastMessageNumber"] == entry["messageNumber"] == 1
    assert chatapi(chatapi_sim, "GET", "showMessagesQueue").json()["totalMessages"] == 0


def test_chatapi_clears_its_queue_and_says_how_many(chatapi_sim):
    for text in ("one", "two"):
        chatapi(chatapi_sim, "POST", "sendMessage", json={"chatId": "1@c.us", "body": text})

    cleared = chatapi(chatapi_sim, "GET", "clearMessagesQueue").json()

    assert cleared == {"message": "Cleared 2 messages", "messageTextsExample": ["one", "two"]}


def whautochat(sim, action: str, body, key: str = WHAUTOCHAT_KEY) -> httpx.Response:
    return httpx.post(
        f"{sim.url}/v1/messages/whatsapp/{action}",
        json=body,
        headers={"x-api-key": key},
        timeout=5,
    )


def test_whautochat_refuses_a_wrong_key(whautochat_sim):
    assert whautochat(whautochat_sim, "sendtext", {}, key="nope").status_code == 401


def test_whautochat_wants_a_contact_or_a_recipient_never_both(whautochat_sim):
    both = {
        "contact": {"id": "c1"},
        "recepient": {"phoneNumber": "+491511"},
        "workspace": {"id": "w"},
        "textMessage": "Hi",
    }

    response = whautochat(whautochat_sim, "sendtext", both)

    assert response.status_code == 400
    assert "not both" in response.json()["error"]


def test_whautochat_answers_an_accepted_send_with_an_id(whautochat_sim):
    body = {"recepient": {"phoneNumber": "+491511"}, "workspace": {"id": "w"}, "template": "t1"}

    answer = whautochat(whautochat_sim, "sendtemplate", body).json()

    assert answer == {"id": "wac_000001", "status": "sent", "error": ""}
    assert whautochat_sim.sent[0]["template"] == "t1"
