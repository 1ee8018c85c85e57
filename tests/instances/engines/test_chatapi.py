"""The chat-api engine against the wire format of its reference (seed 003, docs/gateways.md)."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from instances.engines.base import (
    Ack,
    AuthenticationError,
    Capability,
    EngineConfig,
    EventKind,
    MessageKind,
    NotSupportedError,
    PermanentError,
    RetryableError,
    SendRequest,
    SessionStatus,
    UnconfirmedError,
    WrongStateError,
)
from instances.engines.chatapi import ChatApiEngine

BASE = "https://eu12.chat-api.test"
INSTANCE = "12345"
TOKEN = "chatapi-token-5f1d9a"
PREFIX = f"/instance{INSTANCE}"
CHAT = "17472822486@c.us"
HOOK = "https://switchboard.test/hooks/abc/s3cret-in-the-path/"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "chatapi"
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    config = EngineConfig(
        base_url=BASE,
        api_key=TOKEN,
        session=INSTANCE,
        webhook_url=HOOK,
        webhook_secret="s3cret-in-the-path",
    )
    with ChatApiEngine(config) as engine:
        yield engine


def body_of(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def send(engine: ChatApiEngine, kind: MessageKind, chat_id: str = CHAT, **payload):
    return engine.send(SendRequest(chat_id=chat_id, kind=kind, payload=payload))


# Authentication and errors.


def test_every_call_carries_the_token_in_the_query_string(api, engine):
    route = api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": "authenticated"})

    engine.status()

    assert route.calls.last.request.url.params["token"] == TOKEN


def test_httpx_logs_the_request_line_with_the_token_blanked(api, engine, caplog):
    api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": "authenticated"})

    with caplog.at_level(logging.INFO, logger="httpx"):
        engine.status()

    assert "token=***" in caplog.text
    assert TOKEN not in caplog.text


def test_a_refused_token_is_an_authentication_error_that_does_not_repeat_it(api, engine):
    api.get(f"{PREFIX}/status").respond(403, json={"error": f"Wrong token {TOKEN}"})

    with pytest.raises(AuthenticationError) as caught:
        engine.status()

    assert caught.value.message == "The gateway refused the token."


def test_an_unreachable_gateway_names_the_host_but_never_the_token(api, engine):
    api.get(f"{PREFIX}/status").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(RetryableError) as caught:
        engine.status()

    assert "eu12.chat-api.test" in caught.value.message
    assert TOKEN not in caught.value.message


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_failures_are_retryable(api, engine, status):
    api.post(f"{PREFIX}/sendMessage").respond(status, headers={"Retry-After": "7"})

    with pytest.raises(RetryableError):
        send(engine, MessageKind.TEXT, text="Hi")


def test_a_send_whose_answer_never_came_is_unconfirmed(api, engine):
    api.post(f"{PREFIX}/sendMessage").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(UnconfirmedError):
        send(engine, MessageKind.TEXT, text="Hi")


def test_an_echoed_webhook_secret_is_blanked_from_errors(api, engine):
    api.post(f"{PREFIX}/webhook").respond(400, json={"error": f"Bad url {HOOK}"})

    with pytest.raises(PermanentError) as caught:
        engine.configure_webhook(HOOK, "s3cret-in-the-path")

    assert "s3cret-in-the-path" not in caught.value.message


# Status and QR.


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("init", SessionStatus.STARTING),
        ("loading", SessionStatus.STARTING),
        ("got qr code", SessionStatus.SCAN_QR_CODE),
        ("authenticated", SessionStatus.WORKING),
        ("something new", SessionStatus.UNKNOWN),
    ],
)
def test_account_status_words_map_to_switchboard_statuses(api, engine, word, status):
    api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": word})

    state = engine.status()

    assert state.status is status
    assert state.raw_status == word


def test_the_qr_code_is_the_data_url_of_the_status_answer(api, engine):
    data_url = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    api.get(f"{PREFIX}/status").respond(
        200, json={"accountStatus": "got qr code", "qrCode": data_url}
    )

    assert engine.qr().png == PIXEL


def test_without_a_data_url_the_qr_code_comes_as_an_image(api, engine):
    api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": "got qr code"})
    api.get(f"{PREFIX}/qr_code").respond(200, content=PIXEL, headers={"Content-Type": "image/png"})

    assert engine.qr().png == PIXEL


def test_a_linked_account_has_no_qr_code(api, engine):
    api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": "authenticated"})

    with pytest.raises(WrongStateError):
        engine.qr()


# Session life.


def test_start_registers_the_webhook_and_reads_the_status(api, engine):
    hook = api.post(f"{PREFIX}/webhook").respond(200, json={"set": True, "webhookUrl": HOOK})
    api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": "loading"})

    state = engine.create()

    assert body_of(hook) == {"webhookUrl": HOOK}
    assert state.status is SessionStatus.STARTING


def test_a_webhook_the_gateway_did_not_set_is_an_error(api, engine):
    api.post(f"{PREFIX}/webhook").respond(200, json={"set": False})

    with pytest.raises(PermanentError):
        engine.configure_webhook(HOOK, "")


@pytest.mark.parametrize(("action", "path"), [("logout", "logout"), ("restart", "reboot")])
def test_logout_and_restart_are_gets_followed_by_the_status(api, engine, action, path):
    route = api.get(f"{PREFIX}/{path}").respond(200, json={"success": True})
    api.get(f"{PREFIX}/status").respond(200, json={"accountStatus": "got qr code"})

    state = getattr(engine, action)()

    assert route.called
    assert state.status is SessionStatus.SCAN_QR_CODE


# Sends.


def test_a_text_to_a_chat_goes_by_chat_id_only(api, engine):
    route = api.post(f"{PREFIX}/sendMessage").respond(200, json={"sent": True, "message": "ok"})

    result = send(engine, MessageKind.TEXT, text="Hello, world! 🍏")

    assert body_of(route) == {"chatId": CHAT, "body": "Hello, world! 🍏"}
    assert result.provider_id == ""


def test_a_text_to_a_bare_number_goes_by_phone_only(api, engine):
    route = api.post(f"{PREFIX}/sendMessage").respond(200, json={"sent": True, "message": "ok"})

    send(engine, MessageKind.TEXT, chat_id="+1 747 282 2486", text="Hi")

    assert body_of(route) == {"phone": "17472822486", "body": "Hi"}


def test_a_file_by_link_takes_its_name_from_the_link(api, engine):
    route = api.post(f"{PREFIX}/sendFile").respond(200, json={"sent": True, "message": "ok"})

    send(
        engine,
        MessageKind.IMAGE,
        url="https://upload.wikimedia.org/wikipedia/ru/3/33/NatureCover2001.jpg",
        caption="Cover",
    )

    assert body_of(route) == {
        "chatId": CHAT,
        "body": "https://upload.wikimedia.org/wikipedia/ru/3/33/NatureCover2001.jpg",
        "filename": "NatureCover2001.jpg",
        "caption": "Cover",
    }


def test_a_file_given_as_bytes_travels_as_a_data_url(api, engine):
    route = api.post(f"{PREFIX}/sendFile").respond(200, json={"sent": True, "message": "ok"})

    send(
        engine,
        MessageKind.DOCUMENT,
        content=PIXEL,
        mimetype="image/png",
        filename="4x4pixel.png",
    )

    body = body_of(route)
    assert body["body"] == "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    assert body["filename"] == "4x4pixel.png"


def test_a_send_the_gateway_did_not_take_is_a_permanent_error(api, engine):
    api.post(f"{PREFIX}/sendMessage").respond(200, json={"sent": False, "message": "No phone"})

    with pytest.raises(PermanentError, match="No phone"):
        send(engine, MessageKind.TEXT, text="Hi")


def test_kinds_chat_api_has_no_route_for_are_refused_before_any_call(api, engine):
    with pytest.raises(NotSupportedError):
        send(engine, MessageKind.POLL, name="Q", options=["a", "b"])

    assert not api.calls


def test_sends_answered_without_an_id_are_declared_as_a_capability():
    assert Capability.NO_MESSAGE_IDS in ChatApiEngine.capabilities
    assert Capability.LOOKUP_MESSAGE not in ChatApiEngine.capabilities


def test_a_group_is_created_with_its_numbers_and_first_message(api, engine):
    route = api.post(f"{PREFIX}/group").respond(
        200, json={"created": True, "chatId": "79680565372-1539006380@g.us"}
    )

    chat_id = engine.create_group("Browsers", ["+1 747 282 2486", "79680565372"], "Hi all")

    assert body_of(route) == {
        "groupName": "Browsers",
        "phones": ["17472822486", "79680565372"],
        "messageText": "Hi all",
    }
    assert chat_id == "79680565372-1539006380@g.us"


# History and the gateway's queue.


def test_history_goes_on_from_the_last_message_number(api, engine):
    route = api.get(f"{PREFIX}/messages").respond(200, content=fixture("history"))

    page = engine.message_history(99)

    assert route.calls.last.request.url.params["lastMessageNumber"] == "99"
    assert page.cursor == 199
    (event,) = page.events  # the call log entry is not a message
    assert event.event_id == "message:true_17472822486@c.us_DF38E6A25B42CC8CCE57EC40F"
    assert event.data.from_me is True
    assert event.data.text == "Ok!"


def test_history_without_a_cursor_asks_for_the_last_messages(api, engine):
    route = api.get(f"{PREFIX}/messages").respond(
        200, json={"messages": [], "lastMessageNumber": 5}
    )

    page = engine.message_history()

    assert route.calls.last.request.url.params["last"] == "1"
    assert page.cursor == 5


def test_the_engine_queue_lists_what_waits_on_the_gateway(api, engine):
    api.get(f"{PREFIX}/showMessagesQueue").respond(
        200,
        json={
            "totalMessages": 2,
            "first100": [
                {
                    "id": 1,
                    "body": "Hey!",
                    "type": "text",
                    "chatId": CHAT,
                    "last_try": 1528320463436,
                    "metadata": "{}",
                }
            ],
        },
    )

    queue = engine.engine_queue()

    assert queue.total == 2
    (first,) = queue.first
    assert (first.id, first.chat_id, first.text) == ("1", CHAT, "Hey!")
    assert first.last_try_at == datetime(2018, 6, 6, 21, 27, 43, 436000, tzinfo=UTC)


def test_clearing_the_engine_queue_says_how_many_were_dropped(api, engine):
    route = api.get(f"{PREFIX}/clearMessagesQueue").respond(
        200,
        json={"message": "Cleared 2 messages", "messageTextsExample": ["Hello", "Hello"]},
    )

    assert engine.clear_engine_queue() == 2
    assert route.called


# Webhooks (bodies from the reference, made valid JSON).


def test_a_messages_array_becomes_one_message_event_each():
    text, image = ChatApiEngine.parse_webhook({}, fixture("message"))

    assert text.kind is EventKind.MESSAGE
    assert text.event_id == "message:false_17472822486@c.us_DF38E6A25B42CC8CCE57EC40F"
    assert text.data.chat_id == CHAT
    assert text.data.text == "Ok!"
    assert text.data.from_me is False
    assert text.data.sent_at == datetime(2017, 8, 31, 19, 43, 13, tzinfo=UTC)
    assert image.data.media.url.endswith("1504208600.jpeg")
    assert image.data.text == ""


def test_an_ack_array_becomes_delivered_and_read_events():
    delivered, viewed = ChatApiEngine.parse_webhook({}, fixture("ack"))

    assert delivered.kind is viewed.kind is EventKind.ACK
    assert delivered.data.ack is Ack.DEVICE
    assert viewed.data.ack is Ack.READ
    assert delivered.event_id != viewed.event_id
    assert viewed.data.message_id == "true_17472822486@c.us_DF38E6A25B42CC8CCE57EC40F"


def test_one_body_with_messages_and_acks_gives_both():
    kinds = [event.kind for event in ChatApiEngine.parse_webhook({}, fixture("messages_and_acks"))]

    assert kinds == [EventKind.MESSAGE, EventKind.ACK]


def test_an_ack_with_an_unknown_word_is_reported_not_guessed():
    body = json.dumps({"ack": [{"id": "x", "chatId": CHAT, "status": "exploded"}]}).encode()

    (event,) = ChatApiEngine.parse_webhook({}, body)

    assert event.data.ack is None
    assert event.problems


@pytest.mark.parametrize("body", [b"[]", b'{"event": "message"}', b"not json"])
def test_a_body_that_is_not_a_chat_api_webhook_is_refused(body):
    with pytest.raises(ValueError):
        ChatApiEngine.parse_webhook({}, body)
