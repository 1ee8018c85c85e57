"""The simulator keeps one timeline of chat actions and sends, so tests can check the order."""

from __future__ import annotations

from instances.engines.base import EngineConfig, MessageKind, SendRequest
from instances.engines.waha import WahaEngine

CHAT = "4917612345678@c.us"


def test_seen_typing_and_the_send_appear_in_the_order_they_were_made(simulator, link_session):
    link_session()
    config = EngineConfig(base_url=simulator.url, api_key=simulator.api_key, session="default")

    with WahaEngine(config) as engine:
        engine.send_seen(CHAT)
        engine.start_typing(CHAT)
        engine.stop_typing(CHAT)
        sent = engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hello"}))

    timeline = simulator.state.actions("default")
    assert [entry["action"] for entry in timeline] == [
        "sendSeen",
        "startTyping",
        "stopTyping",
        "sendText",
    ]
    assert {entry["chatId"] for entry in timeline} == {CHAT}
    assert timeline[-1]["id"] == sent.provider_id


def test_the_timeline_is_readable_over_http(simulator, link_session, api):
    link_session()
    api.post("/api/startTyping", json={"session": "default", "chatId": CHAT})
    api.post("/api/sendText", json={"session": "default", "chatId": CHAT, "text": "Hi"})

    timeline = api.get("/simulator/sessions/default/actions").json()

    assert [entry["action"] for entry in timeline] == ["startTyping", "sendText"]
