"""The engine registry, and that each engine's capabilities match what it implements."""

from __future__ import annotations

import httpx
import pytest

from instances.engines import ENGINE_CHOICES, ENGINES, get_engine, get_engine_class
from instances.engines.base import Capability, Engine, EngineConfig, NotSupportedError
from instances.engines.chatapi import ChatApiEngine
from instances.engines.messagepro import MessageProEngine
from instances.engines.waha import WahaEngine
from instances.engines.wawp import WawpEngine
from instances.engines.whautochat import WhautoChatEngine

# The method behind each capability the UI can offer (SIGNED_WEBHOOKS has none).
METHODS = {
    Capability.START: "start",
    Capability.STOP: "stop",
    Capability.RESTART: "restart",
    Capability.LOGOUT: "logout",
    Capability.RECREATE: "recreate",
    Capability.DELETE: "delete",
    Capability.QR: "qr",
    Capability.PAIRING_CODE: "pairing_code",
    Capability.SCREENSHOT: "screenshot",
    Capability.CHECK_EXISTS: "check_exists",
    Capability.CONFIGURE_WEBHOOK: "configure_webhook",
    Capability.LOOKUP_MESSAGE: "lookup_message",
    Capability.SEEN: "send_seen",
    Capability.TYPING: "start_typing",
    Capability.MESSAGE_HISTORY: "message_history",
    Capability.CREATE_GROUP: "create_group",
    Capability.GROUPS: "list_groups",
    Capability.ENGINE_QUEUE: "engine_queue",
}


def test_the_registry_maps_each_key_to_its_engine():
    assert ENGINES["waha"] is WahaEngine
    assert ENGINES["wawp"] is WawpEngine
    assert ENGINES["messagepro"] is MessageProEngine
    assert ENGINES["chatapi"] is ChatApiEngine
    assert ENGINES["whautochat"] is WhautoChatEngine
    assert len(ENGINES) == 5
    assert all(engine.key == key for key, engine in ENGINES.items())


def test_the_choices_pair_each_key_with_its_label():
    assert ENGINE_CHOICES == [
        ("waha", "WAHA (self-hosted)"),
        ("wawp", "Wawp (hosted WAHA)"),
        ("messagepro", "message-pro"),
        ("chatapi", "chat-api (legacy)"),
        ("whautochat", "WhautoChat (cloud)"),
    ]


def test_get_engine_builds_the_engine_on_the_given_transport():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"status": "WORKING"}))
    config = EngineConfig(base_url="http://waha.test", api_key="k", session="default")

    with get_engine(config, "waha", transport=transport) as engine:
        assert isinstance(engine, WahaEngine)
        assert engine.status().raw_status == "WORKING"


def test_an_unknown_engine_key_is_refused():
    with pytest.raises(ValueError, match="nope"):
        get_engine_class("nope")


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES.keys())
def test_every_advertised_capability_is_implemented_and_nothing_else_is(engine):
    for capability, method in METHODS.items():
        implemented = getattr(engine, method) is not getattr(Engine, method)
        assert implemented == (capability in engine.capabilities), (engine.key, capability)


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES.keys())
def test_every_engine_describes_itself_for_the_instance_form(engine):
    assert engine.label and engine.credential_label and engine.session_label
    assert engine.default_base_url.startswith(("http://", "https://"))
    assert all(isinstance(capability, Capability) for capability in engine.capabilities)


GROUP_METHODS = (
    "create_group",
    "list_groups",
    "group_info",
    "update_group",
    "add_participants",
    "remove_participants",
    "promote_participants",
    "demote_participants",
    "leave_group",
    "group_invite",
)


WITH_GROUPS = [engine for engine in ENGINES.values() if Capability.GROUPS in engine.capabilities]


@pytest.mark.parametrize("engine", WITH_GROUPS, ids=[engine.key for engine in WITH_GROUPS])
def test_an_engine_with_groups_implements_every_group_method(engine):
    assert Capability.CREATE_GROUP in engine.capabilities
    for method in GROUP_METHODS:
        assert getattr(engine, method) is not getattr(Engine, method), (engine.key, method)


def test_an_engine_without_groups_says_so_in_a_sentence():
    engine = WhautoChatEngine(EngineConfig(base_url="https://w.test", api_key="k", session="s"))

    with pytest.raises(NotSupportedError, match=r"^WhautoChat \(cloud\) cannot manage groups\.$"):
        engine.group_info("123@g.us")
