"""The `core-2024.10` profile answers as a real WAHA Core 2024.10.8 server did
(tests/fixtures/waha/answers.core-2024.10.8.json, docs/gateways.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from instances.simulator import CORE_2024_10
from tests.simulator_fixture import TEST_WRONG_STATE_DELAY

ANSWERS = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/waha/answers.core-2024.10.8.json").read_text()
)
CHAT = "4917612345678@c.us"
MEDIA = {"url": "https://cdn.test/a.jpg", "mimetype": "image/jpeg"}


@pytest.fixture
def simulator_profile():
    return CORE_2024_10


def start_default(api, simulator, *, starting_seconds: float = 0.0) -> None:
    simulator.state.starting_seconds = starting_seconds
    assert api.post("/api/sessions/default/start").status_code == 201


def setup_stop_missing_session(api, simulator):
    api.delete("/api/sessions/default")


def setup_qr_while_starting(api, simulator):
    start_default(api, simulator, starting_seconds=60)


setup_screenshot_while_starting = setup_qr_while_starting


def setup_start_running_session(api, simulator):
    start_default(api, simulator)


setup_send_image_while_starting = setup_qr_while_starting
setup_send_video_while_starting = setup_qr_while_starting


def setup_stopped_session(api, simulator):
    api.put("/api/sessions/default", json={"config": {"metadata": {"a": "b"}}})
    start_default(api, simulator)
    api.post("/api/sessions/default/stop")


def setup_create_after_delete(api, simulator):
    simulator.state.starting_seconds = 60
    api.delete("/api/sessions/default")


BODIES = {
    "create_after_delete": {"name": "default", "start": True},
    "other_session_name": {"name": "sales"},
    "send_image_while_starting": {"session": "default", "chatId": CHAT, "file": MEDIA},
    "send_video_while_starting": {"session": "default", "chatId": CHAT, "file": MEDIA},
}
CONTACT_CARD = {
    "session": "default",
    "chatId": CHAT,
    "contacts": [{"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"}],
}


def link_default(api, simulator) -> None:
    start_default(api, simulator)
    api.post("/simulator/sessions/default/scan", json={"phone": "+15550001234"})


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_like_the_recorded_server(api, simulator, name):
    recorded = ANSWERS[name]
    setup = globals().get(f"setup_{name}")
    if setup:
        setup(api, simulator)
    method, path = recorded["request"]

    response = api.request(method, path, json=BODIES.get(name))

    assert response.status_code == recorded["status"]
    if recorded["body"] is None:
        assert response.content == b""
    else:
        assert response.json() == recorded["body"]


def test_a_webhook_event_name_that_version_does_not_know_is_refused_with_the_allowed_list(api):
    config = {"webhooks": [{"url": "http://127.0.0.1:1/", "events": ["message.edited"]}]}

    response = api.post("/api/sessions", json={"name": "default", "config": config})

    assert response.status_code == 400
    (message,) = response.json()["message"]
    assert message.startswith(
        "config.webhooks.0.each value in events must be one of the following values: "
        "session.status, message, "
    )
    assert "message.edited" not in message.split(": ", 1)[1]


def test_webhooks_are_unsigned_and_carry_no_id_or_timestamp(api, link_session, webhook_receiver):
    api.delete("/api/sessions/default")

    # The key is stored with the webhook, and ignored.
    link_session(webhook_url=webhook_receiver.url, events=("session.status",), hmac_key="k")

    hook = webhook_receiver.wait_for(1)[0]
    assert "x-webhook-hmac" not in hook.headers
    assert hook.headers["user-agent"] == "WAHA/2024.10.8"
    assert list(hook.envelope) == ["event", "session", "me", "payload", "engine", "environment"]
    assert hook.envelope["environment"]["version"] == "2024.10.8"


def test_the_same_starting_report_repeats_while_it_reconnects(api, simulator, webhook_receiver):
    simulator.state.starting_seconds = 60
    config = {"webhooks": [{"url": webhook_receiver.url, "events": ["session.status"]}]}
    api.put("/api/sessions/default", json={"config": config})
    api.post("/api/sessions/default/start")

    simulator.clock.advance(4)
    simulator.state.tick()

    hooks = webhook_receiver.wait_for(3)
    assert {hook.body for hook in hooks} == {hooks[0].body}
    assert hooks[0].payload == {"name": "default", "status": "STARTING"}


def test_a_client_message_id_is_ignored(api, simulator):
    link_default(api, simulator)

    sent = api.post(
        "/api/sendText", json={"session": "default", "chatId": CHAT, "text": "Hi", "id": "MINE1"}
    ).json()

    assert "MINE1" not in json.dumps(sent)


def test_a_wrong_state_answer_comes_after_the_wait(api, simulator):
    start_default(api, simulator, starting_seconds=60)

    started = time.monotonic()
    assert api.get("/api/default/auth/qr").status_code == 422

    assert time.monotonic() - started >= TEST_WRONG_STATE_DELAY


def test_a_pairing_code_while_starting_gets_no_answer(api, simulator):
    start_default(api, simulator, starting_seconds=60)

    with pytest.raises(Exception, match="timed out"):
        api.post(
            "/api/default/auth/request-code", json={"phoneNumber": "4915112345678"}, timeout=0.3
        )


@pytest.mark.parametrize(
    ("endpoint", "refusal"),
    [
        ("sendImage", "available only in Plus version"),
        ("sendFile", "available only in Plus version"),
        ("sendVoice", "available only in Plus version"),
        ("sendVideo", "not implemented"),
    ],
)
def test_media_on_a_working_session_is_refused(api, simulator, endpoint, refusal):
    link_default(api, simulator)

    response = api.post(
        f"/api/{endpoint}", json={"session": "default", "chatId": CHAT, "file": MEDIA}
    )

    assert response.status_code == 422
    assert refusal in response.json()["message"]
    assert simulator.state.sent("default") == []


def test_a_contact_card_is_sent_and_answered_with_an_empty_body(api, simulator):
    link_default(api, simulator)

    response = api.post("/api/sendContactVcard", json=CONTACT_CARD)

    assert (response.status_code, response.content) == (201, b"")
    assert len(simulator.state.sent("default")) == 1
