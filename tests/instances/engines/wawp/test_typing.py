"""Wawp shows typing through its documented routes; it cannot mark a whole chat seen."""

from __future__ import annotations

import pytest

from instances.engines.base import Capability, NotSupportedError
from instances.engines.wawp import WawpEngine
from tests.instances.engines.wawp.gateway import AUTH, CHAT, body_of, query_of


@pytest.mark.parametrize(
    ("method", "path"),
    [("start_typing", "/v2/send/start-typing"), ("stop_typing", "/v2/send/stop-typing")],
)
def test_typing_posts_the_chat_in_the_body_and_the_credentials_in_the_query(
    api, engine, method, path
):
    route = api.post(path).respond(200, json={})

    getattr(engine, method)(CHAT)

    assert body_of(route) == {"chatId": CHAT}
    assert query_of(route) == AUTH


def test_marking_a_chat_seen_is_not_offered(engine):
    assert Capability.TYPING in WawpEngine.capabilities
    assert Capability.SEEN not in WawpEngine.capabilities
    with pytest.raises(NotSupportedError):
        engine.send_seen(CHAT)
