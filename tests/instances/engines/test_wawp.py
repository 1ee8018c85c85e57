"""The wawp engine against seed 001 (Wawp API reference): paths, params, errors, webhooks."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
import respx

from instances.engines.base import (
    Ack,
    AuthenticationError,
    Capability,
    EngineConfig,
    EngineError,
    EventKind,
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
from instances.engines.wawp import WawpEngine

BASE = "https://api.wawp.test"
INSTANCE = "3EB0BCB2E3D4"
TOKEN = "wawp-token-8c1e2f"
AUTH = {"instance_id": INSTANCE, "access_token": TOKEN}
CHAT = "201012345678@c.us"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "wawp"

# The seed's send response, trimmed to what Switchboard reads (the same for every send).
SENT = {
    "id": {
        "fromMe": True,
        "remote": "000000000000@c.us",
        "id": "MSG_ID_123456",
        "_serialized": "true_000000000000@c.us_MSG_ID_123456",
    },
    "ack": 0,
    "type": "image",
    "fromMe": True,
}
XML_SUCCESS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n    <success>true</success>\n'
    "    <message>Operation completed successfully</message>\n</response>"
)


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    config = EngineConfig(base_url=BASE, api_key=TOKEN, session=INSTANCE)
    with WawpEngine(config) as engine:
        yield engine


def body_of(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


def query_of(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


def send(engine: WawpEngine, kind: MessageKind, **payload):
    return engine.send(SendRequest(chat_id=CHAT, kind=kind, payload=payload))


# Session life.


@pytest.mark.parametrize(
    ("action", "answer", "status"),
    [
        ("start", {"name": "wawp-84729105", "status": "STARTING"}, SessionStatus.STARTING),
        ("stop", {"name": "wawp-84729105", "status": "STOPPED"}, SessionStatus.STOPPED),
        ("restart", {"name": "wawp-84729105", "status": "STARTING"}, SessionStatus.STARTING),
        ("logout", {"name": "wawp-84729105", "status": "SCAN_QR_CODE"}, SessionStatus.SCAN_QR_CODE),
    ],
)
def test_each_lifecycle_action_posts_to_its_session_path_with_instance_and_token(
    api, engine, action, answer, status
):
    route = api.post(f"/v2/session/{action}").respond(200, json=answer)

    state = getattr(engine, action)()

    assert query_of(route) == AUTH
    assert state.status is status


def test_an_xml_success_on_start_asks_for_the_session_info(api, engine):
    api.post("/v2/session/start").respond(200, text=XML_SUCCESS)
    info = api.post("/v2/session/info").respond(200, json={"status": "STARTING"})

    assert engine.start().status is SessionStatus.STARTING
    assert info.called


def test_status_posts_to_session_info_and_reads_the_account(api, engine):
    route = api.post("/v2/session/info").respond(
        200,
        json={
            "name": "wawp-84729105",
            "status": "WORKING",
            "config": {"webhooks": [], "proxy": None},
            "me": {"id": "201012345678@c.us", "pushName": "John Doe"},
        },
    )

    state = engine.status()

    assert query_of(route) == AUTH
    assert state.status is SessionStatus.WORKING
    assert state.me == Me(id="201012345678@c.us", push_name="John Doe")


def test_delete_sends_delete_to_the_session_delete_path(api, engine):
    route = api.delete("/v2/session/delete").respond(
        200, json={"name": "wawp-84729105", "status": "DELETED", "instance_id": INSTANCE}
    )

    engine.delete()

    assert query_of(route) == AUTH


def test_create_starts_the_configured_instance(api, engine):
    route = api.post("/v2/session/start").respond(200, json={"status": "STARTING"})

    assert engine.create().status is SessionStatus.STARTING
    assert route.called


def test_create_instance_provisions_a_new_instance_with_the_token_only(api):
    route = api.post("/v2/session/create").respond(
        201,
        json={
            "instance_id": "3EB0BCB2E3D4",
            "session_name": "wawp-84729105",
            "status": "STARTING",
            "server_name": "wawp-api-prod-50",
            "config": {},
        },
    )

    with WawpEngine(EngineConfig(base_url=BASE, api_key=TOKEN, session="")) as engine:
        created = engine.create_instance()

    assert query_of(route) == {"access_token": TOKEN}
    assert created.instance_id == "3EB0BCB2E3D4"
    assert created.session_name == "wawp-84729105"
    assert created.server_name == "wawp-api-prod-50"
    assert created.status is SessionStatus.STARTING


def test_wawp_cannot_register_webhooks_so_the_ui_hides_it(engine):
    assert Capability.CONFIGURE_WEBHOOK not in WawpEngine.capabilities
    assert Capability.SIGNED_WEBHOOKS not in WawpEngine.capabilities

    with pytest.raises(NotSupportedError):
        engine.configure_webhook("https://switchboard.test/hooks/1/", "secret")


# Login and contacts.


def test_qr_decodes_the_base64_json_document_to_the_qr_string(api, engine):
    route = api.get("/v2/auth/qr").respond(
        200,
        json={
            "mimetype": "application/json; charset=utf-8",
            "data": "eyJ2YWx1ZSI6IjJAR0JoWWtpTkV1U0tpeXpIeVVOYy9RQi9lTnhpSkJWSE96bGhOQ1daRERvRUZy"
            "OEhDWEhxTENKdEVpZHh6WWoxWkpqRzZ4K2NOaFVlVGlZeUJHWExJQzU1Z2ppKzRHQ2VyakRvPSIsImV4cGlyeSI6"
            "MTIzNDU2Nzg5MH0=",
        },
    )

    qr = engine.qr()

    assert qr.value == (
        "2@GBhYkiNEuSKiyzHyUNc/QB/eNxiJBVHOzlhNCWZDDoEFr8HCXHqLCJtEidxzYj1ZJjG6x+cNhUeTiYyBGXLIC55gji+4GCerjDo="
    )
    assert query_of(route) == AUTH


def test_qr_falls_back_to_the_qr_image_when_the_raw_answer_is_unreadable(api, engine):
    api.get("/v2/auth/qr").respond(200, text="Success: Operation completed successfully.")
    api.get("/v2/auth/qr-image").respond(200, json={"qr": "data:image/png;base64,iVBORw0KGgo="})

    qr = engine.qr()

    assert qr.png == b"\x89PNG\r\n\x1a\n"
    assert qr.value == ""


def test_pairing_code_posts_the_phone_number_in_the_body(api, engine):
    route = api.post("/v2/auth/request-code").respond(200, json={"code": "ABCD-1234"})

    assert engine.pairing_code("+20 114 520 2826") == "ABCD-1234"
    assert body_of(route) == {"phone_number": "201145202826"}
    assert query_of(route) == AUTH


def test_check_exists_asks_with_the_phone_digits(api, engine):
    route = api.get("/v2/contacts/check-exists").respond(
        200, json={"exists": True, "jid": "1234567890@c.us"}
    )

    result = engine.check_exists("+1 234 567 890")

    assert query_of(route) == {**AUTH, "phone": "1234567890"}
    assert result.exists is True
    assert result.chat_id == "1234567890@c.us"


# Sending.

FILE = {"url": "https://cdn.test/a.jpg", "filename": "a.jpg", "mimetype": "image/jpeg"}
SENDS = [
    (MessageKind.TEXT, {"text": "Hello"}, "POST", "/v2/send/text", {"message": "Hello"}),
    (
        MessageKind.IMAGE,
        {**FILE, "caption": "Look"},
        "POST",
        "/v2/send/image",
        {"file": FILE, "caption": "Look"},
    ),
    (
        MessageKind.DOCUMENT,
        {"url": "https://cdn.test/files/invoice.pdf"},
        "POST",
        "/v2/send/pdf",
        {
            "file": {
                "url": "https://cdn.test/files/invoice.pdf",
                "filename": "invoice.pdf",
                "mimetype": "application/pdf",
            },
            "caption": "",
        },
    ),
    (
        MessageKind.VIDEO,
        {"url": "https://cdn.test/v.mp4", "caption": "Demo"},
        "POST",
        "/v2/send/video",
        {
            "file": {"url": "https://cdn.test/v.mp4", "filename": "v.mp4", "mimetype": "video/mp4"},
            "caption": "Demo",
            "convert": False,
            "asNote": False,
        },
    ),
    (
        MessageKind.VOICE,
        {"url": "https://cdn.test/note.mp3", "mimetype": "audio/mpeg"},
        "POST",
        "/v2/send/voice",
        {
            "file": {
                "url": "https://cdn.test/note.mp3",
                "filename": "note.mp3",
                "mimetype": "audio/mpeg",
            },
            "convert": True,
        },
    ),
    (
        MessageKind.LIST,
        {
            "title": "Menu",
            "description": "Pick one",
            "footer": "Thanks",
            "button_text": "Open",
            "sections": [{"title": "Food", "rows": [{"title": "Pizza", "rowId": "p1"}]}],
        },
        "POST",
        "/v2/send/list",
        {
            "message": {
                "title": "Menu",
                "description": "Pick one",
                "footer": "Thanks",
                "button": "Open",
                "sections": [{"title": "Food", "rows": [{"title": "Pizza", "rowId": "p1"}]}],
            }
        },
    ),
    (
        MessageKind.LOCATION,
        {"latitude": 38.8937255, "longitude": -77.0969763, "title": "Our office"},
        "POST",
        "/v2/send/location",
        {
            "latitude": "38.8937255",
            "longitude": "-77.0969763",
            "title": "Our office",
            "message": "",
        },
    ),
    (
        MessageKind.POLL,
        {"name": "Lunch?", "options": ["Yes", "No"]},
        "POST",
        "/v2/send/poll",
        {"poll": {"name": "Lunch?", "options": ["Yes", "No"], "multipleAnswers": False}},
    ),
    (
        MessageKind.CONTACT,
        {"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"},
        "POST",
        "/v2/send/contact",
        {"contacts": [{"vcard": "BEGIN:VCARD\nFN:Jane\nEND:VCARD"}]},
    ),
    (
        MessageKind.LINK_PREVIEW,
        {
            "text": "New shop",
            "url": "https://shop.test",
            "title": "Shop",
            "description": "Open now",
            "image_url": "https://shop.test/card.jpg",
        },
        "POST",
        "/v2/send/link-preview",
        {
            "url": "https://shop.test",
            "text": "New shop",
            "thumbnail": "https://shop.test/card.jpg",
            "title": "Shop",
            "description": "Open now",
            "linkPreviewHighQuality": True,
        },
    ),
    (
        MessageKind.REACTION,
        {"message_id": f"false_{CHAT}_AAA", "emoji": "❤️"},
        "PUT",
        "/v2/send/reaction",
        {"messageId": f"false_{CHAT}_AAA", "reaction": "❤️"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "payload", "method", "path", "expected"),
    SENDS,
    ids=[kind.value for kind, *_rest in SENDS],
)
def test_send_puts_the_content_in_the_body_of_the_documented_endpoint(
    api, engine, kind, payload, method, path, expected
):
    route = api.request(method, path).respond(200, json=SENT)

    result = engine.send(SendRequest(chat_id=CHAT, kind=kind, payload=payload))

    assert body_of(route) == {"chatId": CHAT, **expected}
    # Only the credentials ride in the URL; message content never does.
    assert query_of(route) == AUTH
    assert result.provider_id == "true_000000000000@c.us_MSG_ID_123456"


def test_send_includes_reply_to_when_given(api, engine):
    route = api.post("/v2/send/text").respond(200, json=SENT)

    send(engine, MessageKind.TEXT, text="Sure", reply_to=f"false_{CHAT}_Q1")

    assert body_of(route) == {"chatId": CHAT, "message": "Sure", "reply_to": f"false_{CHAT}_Q1"}


def test_an_xml_success_on_send_has_no_provider_id(api, engine):
    api.post("/v2/send/text").respond(200, text=XML_SUCCESS)

    assert send(engine, MessageKind.TEXT, text="Hi").provider_id == ""


# Errors (bodies from the seed).


def test_missing_param_is_a_permanent_error_with_the_gateways_message(api, engine):
    api.post("/v2/send/text").respond(
        400,
        json={
            "code": "missing_param",
            "message": "Missing required parameter: chatId",
            "details": {"missing": ["chatId"], "recommendation": "Check the parameter."},
        },
    )

    with pytest.raises(PermanentError) as caught:
        send(engine, MessageKind.TEXT, text="Hi")

    assert caught.value.code == "missing_param"
    assert caught.value.message == "Missing required parameter: chatId Check the parameter."


def test_an_invalid_chat_id_is_permanent_and_says_how_to_fix_it(api, engine):
    api.post("/v2/send/text").respond(
        400,
        json={
            "code": "invalid_chat_id",
            "message": "Invalid phone number format for SA.",
            "details": {
                "provided": "96655555",
                "recommendation": "Saudi numbers must start with 966 followed by 5 and 8 digits.",
                "info": {"country": "SA"},
            },
        },
    )

    with pytest.raises(PermanentError, match="Saudi numbers must start with 966"):
        send(engine, MessageKind.TEXT, text="Hi")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            401,
            json={
                "code": "invalid_access_token",
                "message": "Invalid or expired access token. Please check your credentials.",
                "details": {"recommendation": "Ensure you are sending a valid 'access_token'."},
            },
        ),
        httpx.Response(
            401,
            text='<?xml version="1.0" encoding="UTF-8"?>\n<error>\n    <code>invalid_access_token'
            "</code>\n    <message>Invalid or expired access token.</message>\n</error>",
        ),
        httpx.Response(400, json={"code": "unauthorized", "message": "Not allowed"}),
    ],
    ids=["json", "xml", "unauthorized-code"],
)
def test_a_refused_token_is_an_authentication_error(api, engine, answer):
    api.post("/v2/session/info").mock(return_value=answer)

    with pytest.raises(AuthenticationError, match="refused the access token"):
        engine.status()


def test_quota_reached_is_permanent_not_an_authentication_error(api, engine):
    api.post("/v2/session/create").respond(
        403,
        json={
            "code": "quota_reached",
            "message": "You have reached your maximum instances limit.",
            "details": {"recommendation": "Upgrade your plan or delete unused instances."},
        },
    )

    with pytest.raises(PermanentError) as caught:
        engine.create_instance()

    assert not isinstance(caught.value, AuthenticationError)
    assert "maximum instances limit" in caught.value.message


def test_an_unknown_instance_is_not_found(api, engine):
    api.post("/v2/session/info").respond(
        404,
        json={
            "code": "invalid_session",
            "message": "Session not found. Please verify your instance_id or session_name.",
            "details": {"recommendation": "Check if the instance exists."},
        },
    )

    with pytest.raises(NotFoundError, match="Session not found"):
        engine.status()


def test_a_qr_request_in_the_wrong_state_is_a_wrong_state_error(api, engine):
    api.get("/v2/auth/qr").respond(
        422,
        json={
            "code": "session_unexpected_status",
            "message": "Session status is not as expected for this operation. "
            "We are attempting to auto-recover.",
            "details": {
                "current_status": "FAILED",
                "expected_status": ["SCAN_QR_CODE"],
                "action": "auto_restart_triggered",
                "recommendation": "Please wait a few seconds and try again.",
            },
        },
    )

    with pytest.raises(WrongStateError) as caught:
        engine.qr()

    assert caught.value.message.endswith("(status FAILED, expected SCAN_QR_CODE)")
    assert caught.value.code == "FAILED"


def test_rate_limiting_is_retryable_after_the_seconds_wawp_names(api, engine):
    api.post("/v2/send/text").respond(
        429,
        json={
            "code": "rate_limit_exceeded",
            "message": "Too many requests. Please slow down.",
            "details": {
                "retryAfter": 60,
                "recommendation": "Implement a retry strategy.",
                "upstream": {"error": "Rate limit", "statusCode": 429},
            },
        },
    )

    with pytest.raises(RetryableError) as caught:
        send(engine, MessageKind.TEXT, text="Hi")

    assert caught.value.retry_after == 60.0
    assert caught.value.message == "Too many requests. Please slow down."


def test_rate_limiting_without_details_uses_the_retry_after_header(api, engine):
    api.post("/v2/send/text").respond(429, text="slow down", headers={"Retry-After": "12"})

    with pytest.raises(RetryableError) as caught:
        send(engine, MessageKind.TEXT, text="Hi")

    assert caught.value.retry_after == 12.0


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, json={"code": "server_error", "message": "An internal error."}),
        httpx.Response(502, json={"code": "proxy_error", "message": "Failed to connect."}),
        httpx.Response(
            500,
            text="<!DOCTYPE html>\n<html>\n<head><title>500 Internal Server Error</title></head>"
            "\n<body>\n    <h1>Internal Server Error</h1>\n</body>\n</html>",
        ),
    ],
    ids=["server_error", "proxy_error", "html-page"],
)
def test_gateway_failures_are_retryable(api, engine, answer):
    api.post("/v2/session/info").mock(return_value=answer)

    with pytest.raises(RetryableError):
        engine.status()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<error>\n    <code>missing_param</code>\n'
            "    <message>Missing required parameter: chatId</message>\n</error>",
            "Missing required parameter: chatId",
        ),
        (
            "Error: missing_param. Missing required parameter: chatId. Please check your request.",
            "Missing required parameter: chatId. Please check your request.",
        ),
    ],
    ids=["xml", "plain-text"],
)
def test_non_json_error_bodies_are_read_without_crashing(api, engine, text, message):
    api.post("/v2/send/text").respond(400, text=text)

    with pytest.raises(PermanentError) as caught:
        send(engine, MessageKind.TEXT, text="Hi")

    assert caught.value.code == "missing_param"
    assert caught.value.message == message


def test_a_refused_connection_names_the_host_but_not_the_token(api, engine):
    api.post("/v2/session/info").mock(side_effect=httpx.ConnectError("Connection refused"))

    with pytest.raises(RetryableError) as caught:
        engine.status()

    assert caught.value.message == "Cannot reach the gateway at api.wawp.test."


def test_a_read_timeout_on_send_is_unconfirmed(api, engine):
    api.post("/v2/send/text").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(UnconfirmedError):
        send(engine, MessageKind.TEXT, text="Hi")


def test_a_read_timeout_elsewhere_is_retryable(api, engine):
    api.post("/v2/session/info").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(RetryableError):
        engine.status()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(400, json={"code": "invalid_param", "message": f"bad token {TOKEN}"}),
        httpx.Response(401, text=f"Error: invalid_access_token. Token {TOKEN} expired."),
        httpx.Response(404, text=f"<error><message>no {TOKEN}</message></error>"),
        httpx.Response(500, text=f"https://api.wawp.test/v2/session/info?access_token={TOKEN}"),
    ],
    ids=["json", "text", "xml", "url"],
)
def test_no_error_message_contains_the_token(api, engine, answer):
    api.post("/v2/session/info").mock(return_value=answer)

    with pytest.raises(EngineError) as caught:
        engine.status()

    assert TOKEN not in str(caught.value)


def test_httpx_request_logs_do_not_show_the_token(api, engine, caplog):
    api.post("/v2/session/info").respond(200, json={"status": "WORKING"})

    with caplog.at_level(logging.INFO, logger="httpx"):
        engine.status()

    assert "access_token=***" in caplog.text
    assert TOKEN not in caplog.text


# Webhooks (payloads from the seed's examples).


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def test_parses_session_status(engine):
    (event,) = engine.parse_webhook({}, fixture("session.status"))

    assert event.kind is EventKind.SESSION_STATUS
    assert event.event_id == "evt_01aaaaaaaaaaaaaaaaaaaaaaaa"
    assert event.me == Me(id="11111111111@c.us", push_name="Wawp Instance", lid="123123@lid")
    assert event.data == {"status": SessionStatus.STOPPED, "raw_status": "STOPPED"}


def test_parses_an_incoming_message_with_media(engine):
    (event,) = engine.parse_webhook({}, fixture("message"))

    assert event.kind is EventKind.MESSAGE
    assert event.data["message_id"] == "false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA"
    assert event.data["text"] == "Hello, world!"
    assert event.data["media"]["url"] == "https://api.wawp.net/api/files/example.oga"


def test_parses_message_any(engine):
    (event,) = engine.parse_webhook({}, fixture("message.any"))

    assert event.kind is EventKind.MESSAGE
    assert event.data["text"] == "Catching everything!"


def test_parses_an_ack_with_its_chat(engine):
    (event,) = engine.parse_webhook({}, fixture("message.ack"))

    assert event.kind is EventKind.ACK
    assert event.data == {
        "message_id": "true_11111111111@c.us_...",
        "chat_id": "11111111111@c.us",
        "ack": Ack.READ,
    }


def test_parses_wawps_flat_reaction(engine):
    (event,) = engine.parse_webhook({}, fixture("message.reaction"))

    assert event.kind is EventKind.REACTION
    assert event.data == {
        "message_id": "false_11111111111@c.us_AAAAA",
        "emoji": "❤️",
        "sender": "11111111111@c.us",
    }


def test_parses_wawps_flat_revoke(engine):
    (event,) = engine.parse_webhook({}, fixture("message.revoked"))

    assert event.kind is EventKind.REVOKED
    assert event.data == {"message_id": "false_11111111111@c.us_..."}


def test_parses_wawps_flat_edit(engine):
    (event,) = engine.parse_webhook({}, fixture("message.edited"))

    assert event.kind is EventKind.EDITED
    assert event.data == {
        "message_id": "false_11111111111@c.us_...",
        "text": "Updated message text!",
    }


def test_falls_back_to_wahas_shapes_when_wawp_sends_them():
    body = json.dumps(
        {
            "event": "message.reaction",
            "payload": {
                "id": "false_1@c.us_R",
                "from": "1@c.us",
                "reaction": {"text": "😂", "messageId": "true_1@c.us_M"},
            },
        }
    ).encode()

    with WawpEngine(EngineConfig(BASE, TOKEN, INSTANCE)) as engine:
        (event,) = engine.parse_webhook({}, body)

    assert event.data == {"message_id": "true_1@c.us_M", "emoji": "😂", "sender": "1@c.us"}


def test_a_malformed_body_raises_value_error(engine):
    with pytest.raises(ValueError):
        engine.parse_webhook({}, b'{"event": "message"}')
