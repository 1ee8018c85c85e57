"""Every way WAHA (or the network) can fail becomes a typed error with a plain message."""

from __future__ import annotations

import httpx
import pytest

from instances.engines.base import (
    AuthenticationError,
    EngineError,
    MessageKind,
    NotFoundError,
    PermanentError,
    RetryableError,
    SendRequest,
    UnconfirmedError,
    WrongStateError,
)
from tests.instances.engines.waha.conftest import (
    API_KEY,
    CHAT,
    HOOK_SECRET,
    SESSION_SCANNING,
)

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
    api.get("/api/sessions/default").respond(200, json=SESSION_SCANNING)
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
