"""The waha engine marks a chat seen and shows typing, as WAHA's chatting routes expect."""

from __future__ import annotations

import pytest

from instances.engines.base import Capability, RetryableError, WrongStateError
from instances.engines.waha import WahaEngine
from tests.instances.engines.waha.conftest import API_KEY, CHAT, body_of

ACTIONS = [
    ("send_seen", "/api/sendSeen", {}),
    ("start_typing", "/api/startTyping", None),
    ("stop_typing", "/api/stopTyping", None),
]


@pytest.mark.parametrize(("method", "path", "answer"), ACTIONS)
def test_each_chat_action_posts_the_session_and_chat(api, engine, method, path, answer):
    # sendSeen answers an empty object, the typing routes no body at all (OpenAPI document).
    body = {"json": answer} if answer is not None else {}
    route = api.post(path).respond(201, **body)

    assert getattr(engine, method)(CHAT) is None

    assert body_of(route) == {"session": "default", "chatId": CHAT}
    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY


def test_a_chat_action_on_a_session_that_is_not_working_is_a_wrong_state(api, engine):
    api.post("/api/startTyping").respond(
        422,
        json={
            "error": "Session status is not as expected. Try again later or restart the session",
            "session": "default",
            "status": "STARTING",
            "expected": ["WORKING"],
        },
    )

    with pytest.raises(WrongStateError, match="STARTING"):
        engine.start_typing(CHAT)


def test_a_chat_action_the_gateway_fails_is_retryable(api, engine):
    api.post("/api/sendSeen").respond(503)

    with pytest.raises(RetryableError):
        engine.send_seen(CHAT)


def test_every_waha_release_can_mark_seen_and_type():
    assert {Capability.SEEN, Capability.TYPING} <= WahaEngine.capabilities_for(None)
