"""The waha engine against WAHA's wire format (WAHA Core 2024.10.8 OpenAPI + facts.md)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from instances.engines.base import (
    AuthenticationError,
    EngineConfig,
    EngineError,
    Me,
    MessageKind,
    NotFoundError,
    NotSupportedError,
    PermanentError,
    RetryableError,
    SendRequest,
    SessionStatus,
    UnconfirmedError,
    WrongStateError,
)
from instances.engines.waha import WEBHOOK_EVENTS, WahaEngine

BASE = "http://waha.test:3000"
API_KEY = "waha-key-5f3a9c"
HOOK_URL = "https://switchboard.test/hooks/0b5e/"
HOOK_SECRET = "hook-secret-77d1"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "waha"
CHAT = "4917612345678@c.us"

SESSION_WORKING = {
    "name": "default",
    "status": "WORKING",
    "config": {"webhooks": []},
    "me": {"id": "4915112345678@c.us", "pushName": "Support"},
    "engine": {"engine": "NOWEB"},
}
OUR_WEBHOOK = {
    "url": HOOK_URL,
    "events": list(WEBHOOK_EVENTS),
    "hmac": {"key": HOOK_SECRET},
    "retries": {"policy": "exponential", "delaySeconds": 2, "attempts": 10},
}


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    config = EngineConfig(
        base_url=BASE,
        api_key=API_KEY,
        session="default",
        webhook_url=HOOK_URL,
        webhook_secret=HOOK_SECRET,
    )
    with WahaEngine(config) as engine:
        yield engine


def body_of(route: respx.Route, index: int = -1) -> dict:
    return json.loads(route.calls[index].request.content)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


# Session life.


def test_start_posts_to_the_session_start_path_with_the_api_key(api, engine):
    route = api.post("/api/sessions/default/start").respond(
        201, json={**SESSION_WORKING, "status": "STARTING"}
    )

    state = engine.start()

    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY
    assert state.status is SessionStatus.STARTING


@pytest.mark.parametrize("action", ["stop", "restart", "logout"])
def test_each_lifecycle_action_posts_to_its_session_path(api, engine, action):
    api.post(f"/api/sessions/default/{action}").respond(
        201, json={**SESSION_WORKING, "status": "STOPPED"}
    )

    state = getattr(engine, action)()

    assert state.status is SessionStatus.STOPPED
    assert state.raw_status == "STOPPED"


def test_status_reads_the_session_with_its_account(api, engine):
    me = {"id": "4915112345678@c.us", "pushName": "Support", "lid": "1234@lid"}
    api.get("/api/sessions/default").respond(200, json={**SESSION_WORKING, "me": me})

    state = engine.status()

    assert state.status is SessionStatus.WORKING
    assert state.me == Me(id="4915112345678@c.us", push_name="Support", lid="1234@lid")
    assert state.me.phone == "+4915112345678"


def test_a_status_newer_than_the_interface_is_unknown_with_the_raw_word_kept(api, engine):
    api.get("/api/sessions/default").respond(
        200, json={"name": "default", "status": "PASSKEY_REQUIRED", "me": None}
    )

    state = engine.status()

    assert state.status is SessionStatus.UNKNOWN
    assert state.raw_status == "PASSKEY_REQUIRED"
    assert state.me is None


def test_delete_sends_delete_to_the_session_path(api, engine):
    route = api.delete("/api/sessions/default").respond(200)

    engine.delete()

    assert route.called


def test_create_posts_the_session_started_with_the_webhook_config(api, engine):
    route = api.post("/api/sessions").respond(201, json={**SESSION_WORKING, "status": "STARTING"})

    state = engine.create()

    assert body_of(route) == {
        "name": "default",
        "start": True,
        "config": {"webhooks": [OUR_WEBHOOK]},
    }
    assert state.status is SessionStatus.STARTING


def test_create_subscribes_to_message_any_but_not_message_to_avoid_duplicates():
    assert "message.any" in WEBHOOK_EVENTS
    assert "message" not in WEBHOOK_EVENTS
    assert {"session.status", "message.ack", "message.reaction"} <= set(WEBHOOK_EVENTS)
    assert {"message.revoked", "message.edited"} <= set(WEBHOOK_EVENTS)


def test_create_adopts_an_existing_session_without_a_put_when_its_webhook_matches(api, engine):
    api.post("/api/sessions").respond(
        422,
        json={
            "statusCode": 422,
            "message": "Session 'default' already exists. Use PUT to update it.",
            "error": "Unprocessable Entity",
        },
    )
    existing = {**SESSION_WORKING, "config": {"webhooks": [OUR_WEBHOOK]}}
    api.get("/api/sessions/default").respond(200, json=existing)
    put = api.put("/api/sessions/default")

    state = engine.create()

    assert not put.called
    assert state.status is SessionStatus.WORKING


def test_create_puts_our_webhook_on_an_existing_session_and_keeps_the_rest_of_its_config(
    api, engine
):
    api.post("/api/sessions").respond(
        422, json={"statusCode": 422, "message": "Session 'default' already exists."}
    )
    old_config = {"proxy": None, "metadata": {"team": "ops"}, "webhooks": []}
    api.get("/api/sessions/default").respond(200, json={**SESSION_WORKING, "config": old_config})
    put = api.put("/api/sessions/default").respond(
        200, json={**SESSION_WORKING, "status": "STARTING"}
    )

    state = engine.create()

    assert body_of(put) == {
        "config": {"proxy": None, "metadata": {"team": "ops"}, "webhooks": [OUR_WEBHOOK]}
    }
    assert state.status is SessionStatus.STARTING


def test_create_starts_an_existing_session_that_is_stopped(api, engine):
    api.post("/api/sessions").respond(422, json={"message": "Session 'default' already exists."})
    api.get("/api/sessions/default").respond(
        200,
        json={"name": "default", "status": "STOPPED", "config": {"webhooks": [OUR_WEBHOOK]}},
    )
    start = api.post("/api/sessions/default/start").respond(
        201, json={"name": "default", "status": "STARTING"}
    )

    state = engine.create()

    assert start.called
    assert state.status is SessionStatus.STARTING


def test_create_without_a_webhook_url_sends_no_config(api):
    route = api.post("/api/sessions").respond(201, json={"name": "s1", "status": "STARTING"})
    config = EngineConfig(base_url=BASE, api_key=API_KEY, session="s1")

    with WahaEngine(config) as engine:
        engine.create()

    assert body_of(route) == {"name": "s1", "start": True}


def test_create_passes_on_a_wrong_state_that_is_not_an_existing_session(api, engine):
    api.post("/api/sessions").respond(422, json={"message": "Something else entirely"})

    with pytest.raises(WrongStateError):
        engine.create()


def test_recreate_stops_deletes_and_creates_the_session_again(api, engine):
    stop = api.post("/api/sessions/default/stop").respond(201, json={"status": "STOPPED"})
    delete = api.delete("/api/sessions/default").respond(200)
    create = api.post("/api/sessions").respond(201, json={"name": "default", "status": "STARTING"})

    state = engine.recreate()

    assert stop.called and delete.called and create.called
    assert state.status is SessionStatus.STARTING


def test_recreate_carries_on_when_the_session_is_already_gone(api, engine):
    not_found = {"statusCode": 404, "message": "Session not found", "error": "Not Found"}
    api.post("/api/sessions/default/stop").respond(404, json=not_found)
    api.delete("/api/sessions/default").respond(404, json=not_found)
    api.post("/api/sessions").respond(201, json={"name": "default", "status": "STARTING"})

    assert engine.recreate().status is SessionStatus.STARTING


def test_configure_webhook_puts_the_new_url_and_secret(api, engine):
    api.get("/api/sessions/default").respond(200, json=SESSION_WORKING)
    put = api.put("/api/sessions/default").respond(200, json=SESSION_WORKING)

    engine.configure_webhook("https://new.test/hooks/1/", "new-secret")

    (webhook,) = body_of(put)["config"]["webhooks"]
    assert webhook["url"] == "https://new.test/hooks/1/"
    assert webhook["hmac"] == {"key": "new-secret"}


def test_configure_webhook_leaves_a_matching_config_alone(api, engine):
    api.get("/api/sessions/default").respond(
        200, json={**SESSION_WORKING, "config": {"webhooks": [OUR_WEBHOOK]}}
    )
    put = api.put("/api/sessions/default")

    engine.configure_webhook(HOOK_URL, HOOK_SECRET)

    assert not put.called


# Login, screenshot, contacts.


def test_qr_asks_for_the_raw_value(api, engine):
    route = api.get("/api/default/auth/qr", params={"format": "raw"}).respond(
        200, json={"value": "2@abc,def,ghi"}
    )

    assert engine.qr().value == "2@abc,def,ghi"
    assert route.called


def test_pairing_code_posts_the_phone_number_as_digits(api, engine):
    route = api.post("/api/default/auth/request-code").respond(201, json={"code": "ABCD-EFGH"})

    assert engine.pairing_code("+49 151 1234-5678") == "ABCD-EFGH"
    assert body_of(route) == {"phoneNumber": "4915112345678"}


def test_screenshot_returns_the_png_bytes(api, engine):
    png = b"\x89PNG\r\n\x1a\nfake"
    route = api.get("/api/screenshot", params={"session": "default"}).respond(
        200, content=png, headers={"Content-Type": "image/png"}
    )

    shot = engine.screenshot()

    assert shot.content == png
    assert shot.mimetype == "image/png"
    assert route.calls.last.request.headers["Accept"] == "image/png"


def test_check_exists_asks_with_the_phone_digits_and_session(api, engine):
    api.get(
        "/api/contacts/check-exists", params={"phone": "4917612345678", "session": "default"}
    ).respond(200, json={"numberExists": True, "chatId": CHAT})

    result = engine.check_exists("+49 176 12345678")

    assert result.exists is True
    assert result.chat_id == CHAT


def test_check_exists_reports_a_number_not_on_whatsapp(api, engine):
    api.get("/api/contacts/check-exists").respond(200, json={"numberExists": False})

    result = engine.check_exists("4900000")

    assert result.exists is False
    assert result.chat_id == ""


def test_lookup_message_reads_the_message_in_its_chat(api, engine):
    message_id = f"true_{CHAT}_3EB0A1B2C3D4E5F60718"
    api.get(f"/api/default/chats/{CHAT}/messages/{message_id}").respond(
        200, json={"id": message_id, "ack": 2, "ackName": "DEVICE"}
    )

    result = engine.lookup_message(CHAT, message_id)

    assert result.provider_id == message_id
    assert result.raw_status == "DEVICE"


def test_lookup_message_answers_none_when_the_gateway_has_no_such_message(api, engine):
    api.get(f"/api/default/chats/{CHAT}/messages/true_x").respond(
        404, json={"statusCode": 404, "message": "Message not found"}
    )

    assert engine.lookup_message(CHAT, "true_x") is None


# Sending.

MEDIA = {"url": "https://cdn.test/a.jpg", "mimetype": "image/jpeg", "filename": "a.jpg"}
SENDS = [
    (MessageKind.TEXT, {"text": "Hi"}, "POST", "/api/sendText", {"text": "Hi"}),
    (
        MessageKind.TEXT,
        {"text": "Hi", "link_preview": False},
        "POST",
        "/api/sendText",
        {"text": "Hi", "linkPreview": False},
    ),
    (
        MessageKind.IMAGE,
        {**MEDIA, "caption": "Look"},
        "POST",
        "/api/sendImage",
        {"file": MEDIA, "caption": "Look"},
    ),
    (
        MessageKind.DOCUMENT,
        {"url": "https://cdn.test/invoice.pdf"},
        "POST",
        "/api/sendFile",
        {"file": {"url": "https://cdn.test/invoice.pdf", "mimetype": "application/pdf"}},
    ),
    (
        MessageKind.VIDEO,
        {"url": "https://cdn.test/v.mp4", "mimetype": "video/mp4", "caption": "Demo"},
        "POST",
        "/api/sendVideo",
        {"file": {"url": "https://cdn.test/v.mp4", "mimetype": "video/mp4"}, "caption": "Demo"},
    ),
    (
        MessageKind.VOICE,
        {"url": "https://cdn.test/n.opus", "mimetype": "audio/ogg; codecs=opus"},
        "POST",
        "/api/sendVoice",
        {"file": {"url": "https://cdn.test/n.opus", "mimetype": "audio/ogg; codecs=opus"}},
    ),
    (
        MessageKind.LOCATION,
        {"latitude": "52.52", "longitude": 13.405, "title": "Office"},
        "POST",
        "/api/sendLocation",
        {"latitude": 52.52, "longitude": 13.405, "title": "Office"},
    ),
    (
        MessageKind.CONTACT,
        {"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"},
        "POST",
        "/api/sendContactVcard",
        {"contacts": [{"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"}]},
    ),
    (
        MessageKind.CONTACT,
        {"contacts": [{"fullName": "Jane", "phoneNumber": "+49 1", "vcard": None}]},
        "POST",
        "/api/sendContactVcard",
        {"contacts": [{"fullName": "Jane", "phoneNumber": "+49 1", "vcard": None}]},
    ),
    (
        MessageKind.POLL,
        {"name": "Lunch?", "options": ["Yes", "No"], "multiple": True},
        "POST",
        "/api/sendPoll",
        {"poll": {"name": "Lunch?", "options": ["Yes", "No"], "multipleAnswers": True}},
    ),
    (
        MessageKind.LINK_PREVIEW,
        {"text": "Our new shop", "url": "https://shop.test", "title": "Shop"},
        "POST",
        "/api/sendText",
        {"text": "Our new shop\nhttps://shop.test", "linkPreview": True},
    ),
    (
        MessageKind.REACTION,
        {"message_id": f"false_{CHAT}_AAA", "emoji": "👍"},
        "PUT",
        "/api/reaction",
        {"messageId": f"false_{CHAT}_AAA", "reaction": "👍"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "payload", "method", "path", "expected"),
    SENDS,
    ids=[f"{kind.value}-{index}" for index, (kind, *_rest) in enumerate(SENDS)],
)
def test_send_uses_the_documented_endpoint_and_fields_for_each_kind(
    api, engine, kind, payload, method, path, expected
):
    route = api.request(method, path).respond(201, json={"id": f"true_{CHAT}_NEW"})

    result = engine.send(SendRequest(chat_id=CHAT, kind=kind, payload=payload))

    assert body_of(route) == {"session": "default", "chatId": CHAT, **expected}
    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY
    assert result.provider_id == f"true_{CHAT}_NEW"


def test_send_includes_reply_to_and_the_client_generated_id(api, engine):
    route = api.post("/api/sendText").respond(201, json={"id": f"true_{CHAT}_C1"})
    message = SendRequest(
        chat_id=CHAT,
        kind=MessageKind.TEXT,
        payload={"text": "Sure", "reply_to": f"false_{CHAT}_Q1"},
        client_id="C1",
    )

    engine.send(message)

    assert body_of(route) == {
        "session": "default",
        "chatId": CHAT,
        "text": "Sure",
        "reply_to": f"false_{CHAT}_Q1",
        "id": "C1",
    }


@pytest.mark.parametrize(
    ("answer", "provider_id"),
    [
        ({"id": {"fromMe": True, "_serialized": f"true_{CHAT}_WEBJS"}}, f"true_{CHAT}_WEBJS"),
        ({"id": f"true_{CHAT}_PLAIN", "ackName": "PENDING"}, f"true_{CHAT}_PLAIN"),
        (
            {"key": {"remoteJid": "4917612345678@s.whatsapp.net", "fromMe": True, "id": "BAE5"}},
            f"true_{CHAT}_BAE5",
        ),
        ({}, ""),
    ],
    ids=["webjs-object", "string", "noweb-key", "no-id"],
)
def test_send_reads_the_provider_id_in_every_engine_shape(api, engine, answer, provider_id):
    api.post("/api/sendText").respond(201, json=answer)

    result = engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))

    assert result.provider_id == provider_id


def test_list_messages_are_not_supported_by_waha_2024_10(engine):
    message = SendRequest(CHAT, MessageKind.LIST, {"title": "Menu", "sections": []})

    with pytest.raises(NotSupportedError):
        engine.send(message)


def test_a_payload_missing_a_required_field_is_a_permanent_error(engine):
    with pytest.raises(PermanentError, match="image"):
        engine.send(SendRequest(CHAT, MessageKind.IMAGE, {"caption": "no url"}))


# Errors.


def test_a_refused_api_key_is_an_authentication_error(api, engine):
    api.get("/api/sessions/default").respond(
        401, json={"message": "Unauthorized", "statusCode": 401}
    )

    with pytest.raises(AuthenticationError, match="refused the API key") as caught:
        engine.status()

    assert caught.value.status_code == 401


def test_an_unknown_session_is_not_found(api, engine):
    api.get("/api/sessions/default").respond(
        404, json={"statusCode": 404, "message": "Session not found", "error": "Not Found"}
    )

    with pytest.raises(NotFoundError, match="Session not found"):
        engine.status()


def test_a_session_in_the_wrong_state_carries_wahas_message_and_status(api, engine):
    api.get("/api/default/auth/qr").respond(
        422,
        json={
            "error": "Session status is not as expected. Try again later or restart the session",
            "session": "default",
            "status": "STARTING",
            "expected": ["SCAN_QR_CODE"],
        },
    )

    with pytest.raises(WrongStateError) as caught:
        engine.qr()

    assert caught.value.message == (
        "Session status is not as expected. Try again later or restart the session "
        "(status STARTING, expected SCAN_QR_CODE)"
    )
    assert caught.value.code == "STARTING"


def test_a_validation_error_joins_wahas_list_of_messages(api, engine):
    api.post("/api/sendText").respond(
        400,
        json={
            "statusCode": 400,
            "message": ["chatId must be a string", "text should not be empty"],
            "error": "Bad Request",
        },
    )

    with pytest.raises(PermanentError) as caught:
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": ""}))

    assert caught.value.message == "chatId must be a string; text should not be empty"
    assert not isinstance(caught.value, RetryableError)


def test_rate_limiting_is_retryable_after_the_retry_after_header(api, engine):
    api.post("/api/sendText").respond(429, json={}, headers={"Retry-After": "30"})

    with pytest.raises(RetryableError) as caught:
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))

    assert caught.value.retry_after == 30.0


def test_a_server_error_is_retryable(api, engine):
    api.get("/api/sessions/default").respond(500, json={"message": "Internal server error"})

    with pytest.raises(RetryableError, match="Internal server error"):
        engine.status()


def test_a_non_json_error_body_does_not_crash(api, engine):
    api.get("/api/sessions/default").respond(502, text="<html><body>Bad gateway</body></html>")

    with pytest.raises(RetryableError, match="HTTP 502"):
        engine.status()


def test_a_refused_connection_is_retryable_and_names_only_the_host(api, engine):
    api.get("/api/sessions/default").mock(side_effect=httpx.ConnectError("Connection refused"))

    with pytest.raises(RetryableError) as caught:
        engine.status()

    assert caught.value.message == "Cannot reach the gateway at waha.test:3000."
    assert caught.value.__cause__ is None


def test_a_read_timeout_on_send_is_unconfirmed(api, engine):
    api.post("/api/sendText").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(UnconfirmedError):
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))


def test_a_connection_closed_before_the_answer_on_send_is_unconfirmed(api, engine):
    api.post("/api/sendText").mock(side_effect=httpx.RemoteProtocolError("Server disconnected"))

    with pytest.raises(UnconfirmedError):
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("Server disconnected")],
    ids=["read-timeout", "disconnected"],
)
def test_a_lost_answer_outside_send_is_retryable(api, engine, failure):
    api.get("/api/sessions/default").mock(side_effect=failure)

    with pytest.raises(RetryableError):
        engine.status()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"message": f"Unauthorized key {API_KEY}"}),
        httpx.Response(400, json={"message": [f"x-api-key {API_KEY} is not valid"]}),
        httpx.Response(422, json={"error": f"bad {HOOK_SECRET}", "status": "FAILED"}),
        httpx.Response(500, text=f"crash with {API_KEY}"),
    ],
    ids=["401", "400", "422", "500"],
)
def test_no_error_message_contains_the_api_key_or_webhook_secret(api, engine, answer):
    api.get("/api/sessions/default").mock(return_value=answer)

    with pytest.raises(EngineError) as caught:
        engine.status()

    assert API_KEY not in str(caught.value)
    assert HOOK_SECRET not in caught.value.message
