"""The WhautoChat engine against the wire format of its Messages API (seed 004,
docs/gateways.md)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from instances.engines.base import (
    AuthenticationError,
    Capability,
    EngineConfig,
    MessageKind,
    NotSupportedError,
    PermanentError,
    RetryableError,
    SendRequest,
    SessionStatus,
    UnconfirmedError,
    WrongGatewayError,
)
from instances.engines.whautochat import WhautoChatEngine

BASE = "https://api.whautochat.test"
KEY = "wac-key-71c0e4"
WORKSPACE = "ws_8812"
CHAT = "4915112345678@c.us"
SENDTEXT = "/v1/messages/whatsapp/sendtext"
SENDMEDIA = "/v1/messages/whatsapp/sendmedia"
SENDTEMPLATE = "/v1/messages/whatsapp/sendtemplate"
ACCEPTED = {"id": "msg_01HZX", "status": "queued", "error": ""}


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def engine(api):
    config = EngineConfig(base_url=BASE, api_key=KEY, session=WORKSPACE)
    with WhautoChatEngine(config) as engine:
        yield engine


def body_of(route: respx.Route) -> dict:
    return json.loads(route.calls.last.request.content)


def send(engine: WhautoChatEngine, kind: MessageKind, chat_id: str = CHAT, **payload):
    return engine.send(SendRequest(chat_id=chat_id, kind=kind, payload=payload))


def test_a_text_goes_to_the_recipients_phone_in_the_workspace_with_the_key(api, engine):
    route = api.post(SENDTEXT).respond(200, json=ACCEPTED)

    result = send(engine, MessageKind.TEXT, text="Hallo")

    request = route.calls.last.request
    assert request.headers["x-api-key"] == KEY
    assert KEY not in str(request.url)
    assert body_of(route) == {
        "recepient": {"phoneNumber": "+4915112345678"},
        "workspace": {"id": WORKSPACE},
        "textMessage": "Hallo",
    }
    assert (result.provider_id, result.raw_status) == ("msg_01HZX", "queued")


def test_a_send_never_names_a_contact_and_a_recipient_together_nor_a_schedule(api, engine):
    route = api.post(SENDTEXT).respond(200, json=ACCEPTED)

    send(engine, MessageKind.TEXT, text="Hallo", send_at="2030-01-01T00:00:00Z")

    body = body_of(route)
    assert "contact" not in body
    assert "scheduleDateTime" not in body


def test_media_goes_by_link_with_its_mime_type(api, engine):
    route = api.post(SENDMEDIA).respond(200, json=ACCEPTED)

    send(engine, MessageKind.DOCUMENT, url="https://files.test/a.pdf", mimetype="application/pdf")

    assert body_of(route) == {
        "recepient": {"phoneNumber": "+4915112345678"},
        "workspace": {"id": WORKSPACE},
        "mediaUrl": "https://files.test/a.pdf",
        "mimeType": "application/pdf",
    }


def test_a_media_mime_type_is_told_from_the_link_when_not_given(api, engine):
    route = api.post(SENDMEDIA).respond(200, json=ACCEPTED)

    send(engine, MessageKind.IMAGE, url="https://files.test/cat.jpg")

    assert body_of(route)["mimeType"] == "image/jpeg"


def test_media_of_unknown_type_is_refused_before_any_call(api, engine):
    with pytest.raises(PermanentError, match="MIME type"):
        send(engine, MessageKind.VIDEO, url="https://files.test/clip")

    assert not api.calls


def test_a_template_goes_by_its_id(api, engine):
    route = api.post(SENDTEMPLATE).respond(200, json=ACCEPTED)

    send(engine, MessageKind.TEMPLATE, template="welcome_v2")

    assert body_of(route) == {
        "recepient": {"phoneNumber": "+4915112345678"},
        "workspace": {"id": WORKSPACE},
        "template": "welcome_v2",
    }


@pytest.mark.parametrize("chat_id", ["120363040000000000@g.us", "1234@newsletter"])
def test_groups_and_channels_are_refused(api, engine, chat_id):
    with pytest.raises(NotSupportedError):
        send(engine, MessageKind.TEXT, chat_id=chat_id, text="Hi")

    assert not api.calls


def test_kinds_without_a_route_are_refused(api, engine):
    with pytest.raises(NotSupportedError):
        send(engine, MessageKind.POLL, name="Q", options=["a", "b"])


def test_an_answer_with_an_error_is_a_permanent_failure(api, engine):
    api.post(SENDTEXT).respond(200, json={"id": "", "status": "failed", "error": "Invalid number"})

    with pytest.raises(PermanentError, match="Invalid number"):
        send(engine, MessageKind.TEXT, text="Hi")


def test_a_refusing_status_without_an_error_is_a_permanent_failure(api, engine):
    api.post(SENDTEXT).respond(200, json={"id": "m1", "status": "rejected"})

    with pytest.raises(PermanentError, match="rejected"):
        send(engine, MessageKind.TEXT, text="Hi")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(401, json={"error": "Invalid API key"}), AuthenticationError),
        (httpx.Response(403), AuthenticationError),
        (httpx.Response(400, json={"error": "textMessage is required"}), PermanentError),
        (httpx.Response(422, json={"message": "Invalid recepient"}), PermanentError),
        (httpx.Response(429, headers={"Retry-After": "3"}), RetryableError),
        (httpx.Response(502), RetryableError),
    ],
)
def test_http_failures_map_to_typed_errors(api, engine, answer, error):
    api.post(SENDTEXT).mock(return_value=answer)

    with pytest.raises(error) as caught:
        send(engine, MessageKind.TEXT, text="Hi")

    assert KEY not in caught.value.message


def test_a_send_whose_answer_never_came_is_unconfirmed(api, engine):
    api.post(SENDTEXT).mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(UnconfirmedError):
        send(engine, MessageKind.TEXT, text="Hi")


def test_the_gateway_is_always_ready_without_asking_it(api, engine):
    state = engine.status()

    assert state.status is SessionStatus.WORKING
    assert state.raw_status == "cloud gateway, always ready"
    assert not api.calls


def test_test_connection_accepts_a_key_the_gateway_did_not_refuse(api, engine):
    probe = api.post(SENDTEXT).respond(400, json={"error": "recepient or contact is required"})

    state = engine.test_connection()

    assert state.status is SessionStatus.WORKING
    assert body_of(probe) == {"workspace": {"id": WORKSPACE}}


def test_test_connection_reports_a_refused_key(api, engine):
    api.post(SENDTEXT).respond(401, json={"error": "Invalid API key"})

    with pytest.raises(AuthenticationError):
        engine.test_connection()


def test_test_connection_reports_an_address_without_the_api(api, engine):
    api.post(SENDTEXT).respond(404, text="Not Found")

    with pytest.raises(WrongGatewayError):
        engine.test_connection()


def test_capabilities_say_send_only_with_templates():
    assert WhautoChatEngine.capabilities == {
        Capability.SESSIONLESS,
        Capability.SEND_ONLY,
        Capability.TEMPLATE_MESSAGES,
    }


def test_webhooks_are_refused_since_whautochat_sends_none():
    with pytest.raises(ValueError):
        WhautoChatEngine.parse_webhook({}, b"{}")
