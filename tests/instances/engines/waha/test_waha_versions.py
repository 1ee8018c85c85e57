"""The waha engine asks the server who it is and uses only what that version and tier can do."""

from __future__ import annotations

import json

import pytest

from instances.engines.base import (
    AuthenticationError,
    Capability,
    MessageKind,
    NotSupportedError,
    SendRequest,
    ServerInfo,
    SessionStatus,
    WrongGatewayError,
    WrongStateError,
)
from instances.engines.waha import LOGIN_TIMEOUT, WEBHOOK_EVENTS, WahaEngine
from instances.engines.waha_versions import CURRENT, features_for
from tests.instances.engines.waha.conftest import (
    CHAT,
    CORE_2024_SERVER,
    FIXTURES,
    SESSION_WORKING,
    body_of,
)

CORE_2024 = ServerInfo("2024.10.8", "NOWEB", "CORE")
ANSWERS = json.loads((FIXTURES / "answers.core-2024.10.8.json").read_text())


@pytest.fixture
def core_api(api):
    api.get("/api/version", name="version").respond(200, json=CORE_2024_SERVER)
    return api


def recorded(api, name: str):
    """Mock one of the answers recorded from a real Core 2024.10.8 server."""
    answer = ANSWERS[name]
    method, path = answer["request"]
    route = api.request(method, path.split("?")[0])
    if answer["body"] is None:
        return route.respond(answer["status"], content=b"")
    return route.respond(answer["status"], json=answer["body"])


# Who is there.


def test_server_info_reads_version_engine_and_tier(core_api, engine):
    assert engine.server_info() == CORE_2024


@pytest.mark.parametrize(
    "answer",
    [
        {"status_code": 404, "text": "<html><body>Not Found</body></html>"},
        {"status_code": 404, "json": {"message": "Cannot GET /api/version", "statusCode": 404}},
        {"status_code": 200, "json": {"name": "some other app", "ok": True}},
        {"status_code": 200, "text": "<!doctype html><title>Router login</title>"},
        {"status_code": 200, "json": {"version": "1.4", "engine": "x"}},
    ],
    ids=["html-404", "nest-404", "other-json", "html-200", "not-a-waha-version"],
)
def test_connection_to_something_that_is_not_waha_is_a_wrong_gateway(api, engine, answer):
    api.get("/api/version", name="version").respond(**answer)

    with pytest.raises(WrongGatewayError, match="it is not WAHA"):
        engine.test_connection()


@pytest.mark.parametrize("status", [401, 403])
def test_connection_with_a_refused_key_is_an_authentication_error(api, engine, status):
    api.get("/api/version", name="version").respond(
        status, json={"message": "Unauthorized", "statusCode": status}
    )

    with pytest.raises(AuthenticationError):
        engine.test_connection()


def test_connection_to_a_fresh_core_server_finds_default_stopped(core_api, engine):
    recorded(core_api, "fresh_default_session")

    assert engine.test_connection().status is SessionStatus.STOPPED
    assert engine.server_info() == CORE_2024


# The feature table.


@pytest.mark.parametrize(
    "server",
    [None, ServerInfo("nightly"), ServerInfo("2026.6.1", "NOWEB", "CORE"), ServerInfo("2031.1")],
    ids=["never-asked", "unreadable", "all-in-core", "newer"],
)
def test_unknown_and_newer_versions_get_current_behaviour(server):
    assert features_for(server) == CURRENT
    assert WahaEngine.capabilities_for(server) == WahaEngine.capabilities


def test_core_2024_cannot_sign_or_look_up_and_refuses_media():
    features = features_for(CORE_2024)

    assert not features.signs_webhooks and not features.message_lookup
    assert not features.client_ids and not features.any_session_name
    assert not features.accepts_event("message.edited")
    assert features.refused_kinds >= {MessageKind.IMAGE, MessageKind.VIDEO, MessageKind.VOICE}
    capabilities = WahaEngine.capabilities_for(CORE_2024)
    assert Capability.SIGNED_WEBHOOKS not in capabilities
    assert Capability.LOOKUP_MESSAGE not in capabilities
    assert Capability.QR in capabilities


def test_a_2025_plus_server_signs_and_sends_media_but_noweb_still_has_no_video():
    features = features_for(ServerInfo("2025.3.2", "NOWEB", "PLUS"))

    assert features.signs_webhooks and features.message_lookup and features.any_session_name
    assert features.refused_kinds == {MessageKind.VIDEO}


# What the engine does with it.


def test_create_on_core_2024_subscribes_only_to_known_events_and_sends_no_key(core_api, engine):
    route = core_api.post("/api/sessions").respond(201, json={"name": "default"})

    engine.create()

    (webhook,) = body_of(route)["config"]["webhooks"]
    assert webhook["events"] == [e for e in WEBHOOK_EVENTS if e != "message.edited"]
    assert "hmac" not in webhook


def test_create_on_a_current_server_subscribes_to_edits_and_signs(api, engine):
    route = api.post("/api/sessions").respond(201, json={"name": "default"})

    engine.create()

    (webhook,) = body_of(route)["config"]["webhooks"]
    assert "message.edited" in webhook["events"]
    assert webhook["hmac"]["key"]


def test_media_the_tier_refuses_is_not_sent_at_all(core_api, engine):
    send = core_api.post("/api/sendImage")

    with pytest.raises(NotSupportedError, match=r"2024\.10\.8"):
        engine.send(SendRequest(CHAT, MessageKind.IMAGE, {"url": "https://cdn.test/a.jpg"}))

    assert not send.called


def test_a_client_id_is_not_sent_to_a_version_that_ignores_it(core_api, engine):
    route = core_api.post("/api/sendText").respond(201, json={"id": f"true_{CHAT}_X"})

    engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}, client_id="c-1"))

    assert "id" not in body_of(route)


def test_a_contact_card_answered_with_an_empty_body_is_sent_without_an_id(core_api, engine):
    core_api.post("/api/sendContactVcard").respond(201, content=b"")

    result = engine.send(SendRequest(CHAT, MessageKind.CONTACT, {"vcard": "BEGIN:VCARD"}))

    assert result.provider_id == ""


def test_message_look_up_is_refused_where_the_route_does_not_exist(core_api, engine):
    with pytest.raises(NotSupportedError):
        engine.lookup_message(CHAT, f"true_{CHAT}_AAA")


def test_a_missing_look_up_route_is_not_mistaken_for_a_missing_message(api, engine):
    api.get("/api/version", name="version").respond(404, text="gone")
    recorded(api, "message_lookup")

    with pytest.raises(NotSupportedError):
        engine.lookup_message(CHAT, f"true_{CHAT}_AAA")


# Already gone, wrong state.


def test_stop_of_a_session_that_is_gone_answered_201_empty_is_stopped(core_api, engine):
    recorded(core_api, "stop_missing_session")

    assert engine.stop().status is SessionStatus.STOPPED


def test_recreate_after_delete_on_core_2024_creates_the_session_again(core_api, engine):
    recorded(core_api, "stop_missing_session")
    core_api.delete("/api/sessions/default").respond(
        404, json={"statusCode": 404, "message": "Session not found", "error": "Not Found"}
    )
    create = core_api.post("/api/sessions").respond(
        201, json={"name": "default", "status": "STARTING"}
    )

    assert engine.recreate().status is SessionStatus.STARTING
    assert create.called


def test_a_pairing_code_is_not_asked_for_while_the_session_is_starting(core_api, engine):
    core_api.get("/api/sessions/default").respond(
        200, json={**SESSION_WORKING, "status": "STARTING", "me": None}
    )
    request_code = core_api.post("/api/default/auth/request-code")

    with pytest.raises(WrongStateError, match="The session is STARTING"):
        engine.pairing_code("+4915112345678")

    assert not request_code.called


def test_pairing_code_and_qr_calls_give_up_quickly(api, engine):
    api.get("/api/sessions/default").respond(
        200, json={**SESSION_WORKING, "status": "SCAN_QR_CODE", "me": None}
    )
    code = api.post("/api/default/auth/request-code").respond(201, json={"code": "ABCD-EFGH"})
    qr = api.get("/api/default/auth/qr").respond(200, json={"value": "2@x"})

    engine.pairing_code("+4915112345678")
    engine.qr()

    for route in (code, qr):
        assert route.calls.last.request.extensions["timeout"]["read"] == LOGIN_TIMEOUT


def test_a_server_that_cannot_say_its_version_is_asked_once_and_driven_as_current(api, engine):
    version = api.get("/api/version", name="version").respond(404, text="Not Found")
    send = api.post("/api/sendText").respond(201, json={"id": f"true_{CHAT}_X"})

    for _ in range(2):
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}, client_id="c-1"))

    assert version.call_count == 1
    assert body_of(send)["id"] == "c-1"
