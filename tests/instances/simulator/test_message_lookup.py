from __future__ import annotations

CHAT = "15550009999@c.us"


def send_text(api, text="Hello"):
    return api.post(
        "/api/sendText", json={"session": "default", "chatId": CHAT, "text": text}
    ).json()


def test_a_sent_message_can_be_looked_up_by_its_id(simulator, link_session, api):
    link_session()
    message = send_text(api)
    simulator.dispatcher.wait_idle()

    response = api.get(f"/api/default/chats/{CHAT}/messages/{message['id']}")

    assert response.status_code == 200
    assert response.json()["id"] == message["id"]
    assert response.json()["body"] == "Hello"
    # The lookup shows how far the acks got.
    assert (response.json()["ack"], response.json()["ackName"]) == (3, "READ")


def test_a_message_can_be_looked_up_by_its_bare_key(link_session, api):
    link_session()
    message = api.post(
        "/api/sendText", json={"session": "default", "chatId": CHAT, "text": "x", "id": "key-1"}
    ).json()

    response = api.get(f"/api/default/chats/{CHAT}/messages/key-1")

    assert response.json()["id"] == message["id"]


def test_an_inbound_message_can_be_looked_up_in_the_sender_s_chat(link_session, api):
    link_session()
    message = api.post(
        "/simulator/sessions/default/inbound", json={"from": "+15550001111", "text": "Hi"}
    ).json()

    response = api.get(f"/api/default/chats/15550001111@c.us/messages/{message['id']}")

    assert response.json()["body"] == "Hi"


def test_an_unknown_message_or_the_wrong_chat_is_a_404(link_session, api):
    link_session()
    message = send_text(api)

    unknown = api.get(f"/api/default/chats/{CHAT}/messages/true_{CHAT}_NOPE")
    wrong_chat = api.get(f"/api/default/chats/15550008888@c.us/messages/{message['id']}")

    for response in (unknown, wrong_chat):
        assert response.status_code == 404
        assert response.json() == {
            "statusCode": 404,
            "message": "Message not found",
            "error": "Not Found",
        }
