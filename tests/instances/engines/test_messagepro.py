"""The messagepro engine against seed 000 (message-pro API v2)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from instances.engines.base import (
    AuthenticationError,
    EngineConfig,
    EngineError,
    EventKind,
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
from instances.engines.messagepro import MessageProEngine

BASE = "https://api.message-pro.test"
TOKEN = "mp-token-41d9e0"
INSTANCE = "shop-berlin"
CHAT = "4917612345678@c.us"


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    with MessageProEngine(EngineConfig(base_url=BASE, api_key=TOKEN, session=INSTANCE)) as engine:
        yield engine


def body_of(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


# Session life.


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("start", "start"),
        ("restart", "restart"),
        ("logout", "logout"),
        ("recreate", "troubleshoot"),
    ],
)
def test_each_lifecycle_action_posts_json_to_its_instance_path_with_the_token(
    api, engine, method, action
):
    route = api.post(f"/api/v2/instances/{INSTANCE}/{action}").respond(
        200, json={"status": "loading"}
    )

    state = getattr(engine, method)()

    request = route.calls.last.request
    assert request.headers["token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert state.status is SessionStatus.STARTING
    assert state.raw_status == "loading"


def test_an_action_answer_without_a_session_status_asks_for_the_status(api, engine):
    api.post(f"/api/v2/instances/{INSTANCE}/start").respond(
        200, json={"status": "success", "message": "Started"}
    )
    status = api.get(f"/api/v2/instances/{INSTANCE}/status").respond(
        200, json={"data": {"status": "got qr code"}}
    )

    state = engine.start()

    assert status.called
    assert state.status is SessionStatus.SCAN_QR_CODE


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("authenticated", SessionStatus.WORKING),
        ("CONNECTED", SessionStatus.WORKING),
        ("qr", SessionStatus.SCAN_QR_CODE),
        ("got qr code", SessionStatus.SCAN_QR_CODE),
        ("SCAN_QR_CODE", SessionStatus.SCAN_QR_CODE),
        ("loading", SessionStatus.STARTING),
        ("starting", SessionStatus.STARTING),
        ("disconnected", SessionStatus.STOPPED),
        ("stopped", SessionStatus.STOPPED),
        ("failed", SessionStatus.FAILED),
        ("error", SessionStatus.FAILED),
        ("banned", SessionStatus.UNKNOWN),
    ],
)
def test_status_maps_the_undocumented_words_and_keeps_the_raw_one(api, engine, raw, status):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(200, json={"status": raw})

    state = engine.status()

    assert state.status is status
    assert state.raw_status == raw


def test_a_status_body_without_a_status_is_unknown(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(200, text="OK")

    assert engine.status().status is SessionStatus.UNKNOWN


def test_a_missing_instance_counts_as_not_created_in_the_connection_test(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(404, json={"message": "Not found"})

    state = engine.test_connection()

    assert state.status is SessionStatus.STOPPED


@pytest.mark.parametrize(
    "call",
    [
        lambda engine: engine.stop(),
        lambda engine: engine.delete(),
        lambda engine: engine.pairing_code("+4917612345678"),
        lambda engine: engine.check_exists("+4917612345678"),
        lambda engine: engine.configure_webhook("https://switchboard.test/hooks/1/", "s"),
    ],
    ids=["stop", "delete", "pairing_code", "check_exists", "configure_webhook"],
)
def test_what_message_pro_lacks_is_not_supported(engine, call):
    with pytest.raises(NotSupportedError):
        call(engine)


# QR and screenshot.


def test_qr_returns_an_image_answer_as_png(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(
        200, content=b"\x89PNG-qr", headers={"Content-Type": "image/png"}
    )

    assert engine.qr().png == b"\x89PNG-qr"


def test_qr_decodes_a_data_uri_in_json(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(
        200, json={"data": {"qr": "data:image/png;base64,iVBORw0KGgo="}}
    )

    assert engine.qr().png == b"\x89PNG\r\n\x1a\n"


def test_qr_keeps_a_raw_qr_string(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(200, json={"qr_code": "2@abc,def"})

    qr = engine.qr()

    assert qr.value == "2@abc,def"
    assert qr.png == b""


def test_qr_without_any_code_is_a_permanent_error(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(200, json={"status": "authenticated"})

    with pytest.raises(PermanentError):
        engine.qr()


def test_screenshot_returns_the_image(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/screenshot").respond(
        200, content=b"\xff\xd8jpeg", headers={"Content-Type": "image/jpeg"}
    )

    shot = engine.screenshot()

    assert shot.content == b"\xff\xd8jpeg"
    assert shot.mimetype == "image/jpeg"


# Sending.


def test_send_text_posts_the_seeds_fields_with_priority_and_schedule(api, engine):
    route = api.post(f"/api/v2/{INSTANCE}/send-message").respond(
        200, json={"data": {"id": 9001, "status": "queued"}}
    )
    message = SendRequest(
        CHAT,
        MessageKind.TEXT,
        {"text": "Hallo", "priority": 2, "send_at": datetime(2025, 1, 2, 9, 30, tzinfo=UTC)},
    )

    result = engine.send(message)

    assert body_of(route) == {
        "chat_id": CHAT,
        "text": "Hallo",
        "priority": 2,
        "send_at": "2025-01-02T09:30:00+00:00",
    }
    assert route.calls.last.request.headers["token"] == TOKEN
    assert result.provider_id == "9001"
    assert result.raw_status == "queued"


def test_send_list_posts_the_interactive_payload_with_reply_to(api, engine):
    route = api.post(f"/api/v2/{INSTANCE}/send-list").respond(200, json={"id": "m-1"})
    sections = [{"title": "Food", "rows": [{"title": "Pizza", "rowId": "p1"}]}]
    message = SendRequest(
        CHAT,
        MessageKind.LIST,
        {
            "title": "Menu",
            "description": "Pick one",
            "button_text": "Open",
            "sections": sections,
            "reply_to": "m-0",
        },
    )

    engine.send(message)

    assert body_of(route) == {
        "chat_id": CHAT,
        "interactive": {
            "title": "Menu",
            "description": "Pick one",
            "button": "Open",
            "sections": sections,
        },
        "reply_to": "m-0",
    }


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        (MessageKind.IMAGE, "send-image"),
        (MessageKind.DOCUMENT, "send-file"),
        (MessageKind.VIDEO, "send-video"),
    ],
)
def test_media_is_uploaded_as_multipart_with_the_file_in_media(api, engine, kind, path):
    route = api.post(f"/api/v2/{INSTANCE}/{path}").respond(200, json={"id": "m-2"})
    message = SendRequest(
        CHAT,
        kind,
        {
            "content": b"binary-bytes",
            "filename": "photo.jpg",
            "mimetype": "image/jpeg",
            "caption": "Look",
            "priority": 0,
        },
    )

    result = engine.send(message)

    request = route.calls.last.request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert request.headers["token"] == TOKEN
    body = request.content
    assert b'name="chat_id"\r\n\r\n' + CHAT.encode() in body
    assert b'name="caption"\r\n\r\nLook' in body
    assert b'name="priority"\r\n\r\n0' in body
    assert b'name="media"; filename="photo.jpg"\r\nContent-Type: image/jpeg' in body
    assert b"binary-bytes" in body
    assert result.provider_id == "m-2"


def test_media_given_only_as_a_link_is_refused_because_message_pro_wants_the_file(engine):
    message = SendRequest(CHAT, MessageKind.IMAGE, {"url": "https://cdn.test/a.jpg"})

    with pytest.raises(NotSupportedError, match="needs the file itself"):
        engine.send(message)


@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.VOICE,
        MessageKind.LOCATION,
        MessageKind.CONTACT,
        MessageKind.POLL,
        MessageKind.LINK_PREVIEW,
        MessageKind.REACTION,
    ],
)
def test_kinds_the_seed_does_not_document_are_not_supported(engine, kind):
    with pytest.raises(NotSupportedError):
        engine.send(SendRequest(CHAT, kind, {}))


def test_lookup_message_reads_message_pros_record(api, engine):
    api.get(f"/api/v2/{INSTANCE}/messages/9001").respond(
        200, json={"data": {"id": 9001, "status": "sent"}}
    )

    result = engine.lookup_message(CHAT, "9001")

    assert result.provider_id == "9001"
    assert result.raw_status == "sent"


def test_lookup_message_answers_none_for_an_unknown_message(api, engine):
    api.get(f"/api/v2/{INSTANCE}/messages/404").respond(404, json={"message": "Not found"})

    assert engine.lookup_message(CHAT, "404") is None


# Errors.


def test_a_refused_token_is_an_authentication_error(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(
        401, json={"message": "Unauthenticated."}
    )

    with pytest.raises(AuthenticationError, match="refused the API token"):
        engine.status()


def test_an_unknown_instance_is_not_found(api, engine):
    api.post(f"/api/v2/instances/{INSTANCE}/start").respond(
        404, json={"message": "Instance not found"}
    )

    with pytest.raises(NotFoundError, match="Instance not found"):
        engine.start()


def test_a_validation_error_is_permanent_and_not_a_wrong_state(api, engine):
    api.post(f"/api/v2/{INSTANCE}/send-message").respond(
        422,
        json={
            "message": "The text field must not be greater than 4096 characters.",
            "errors": {"text": ["The text field must not be greater than 4096 characters."]},
        },
    )

    with pytest.raises(PermanentError, match="4096 characters") as caught:
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "x" * 5000}))

    assert not isinstance(caught.value, WrongStateError)


def test_rate_limiting_is_retryable_after_the_retry_after_header(api, engine):
    api.post(f"/api/v2/{INSTANCE}/send-message").respond(
        429, json={"message": "Too Many Attempts."}, headers={"Retry-After": "45"}
    )

    with pytest.raises(RetryableError) as caught:
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))

    assert caught.value.retry_after == 45.0


def test_a_server_error_with_an_html_body_is_retryable(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(503, text="<h1>Maintenance</h1>")

    with pytest.raises(RetryableError, match="HTTP 503"):
        engine.status()


def test_a_refused_connection_is_retryable(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(RetryableError, match=r"Cannot reach the gateway at api\.message-pro\.test"):
        engine.status()


def test_a_read_timeout_on_send_is_unconfirmed(api, engine):
    api.post(f"/api/v2/{INSTANCE}/send-message").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(UnconfirmedError):
        engine.send(SendRequest(CHAT, MessageKind.TEXT, {"text": "Hi"}))


def test_no_error_message_contains_the_token(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(
        403, json={"message": f"Token {TOKEN} is disabled"}
    )

    with pytest.raises(EngineError) as caught:
        engine.status()

    assert TOKEN not in str(caught.value)


def test_an_echoed_token_in_a_gateway_message_is_blanked(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/status").respond(
        400, json={"message": f"Token {TOKEN} has no access to this instance"}
    )

    with pytest.raises(PermanentError) as caught:
        engine.status()

    assert caught.value.message == "Token *** has no access to this instance"


# Webhooks: none documented, so any JSON object is kept as an OTHER event.


def test_any_json_object_is_an_other_event_named_by_its_event_key(engine):
    body = b'{"event": "message.sent", "id": 5}'

    (event,) = engine.parse_webhook({}, body)

    assert event.kind is EventKind.OTHER
    assert event.raw_event == "message.sent"
    assert event.event_id == f"sha256:{hashlib.sha256(body).hexdigest()}"


def test_a_body_named_by_type_or_by_nothing_is_still_kept(engine):
    (typed,) = engine.parse_webhook({}, b'{"type": "status"}')
    (unnamed,) = engine.parse_webhook({}, b'{"foo": 1}')

    assert typed.raw_event == "status"
    assert unnamed.raw_event == "unknown"


@pytest.mark.parametrize("body", [b"[1]", b"null", b"not json", b"\xff"])
def test_a_body_that_is_not_a_json_object_raises_value_error(engine, body):
    with pytest.raises(ValueError):
        engine.parse_webhook({}, body)
