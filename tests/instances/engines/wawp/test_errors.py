"""Wawp errors mapped to the typed errors, with the token never shown."""

from __future__ import annotations

import logging

import httpx
import pytest

from instances.engines.base import (
    AuthenticationError,
    EngineError,
    MessageKind,
    NotFoundError,
    PermanentError,
    RetryableError,
    UnconfirmedError,
    WrongStateError,
)
from tests.instances.engines.wawp.gateway import (
    TOKEN,
    send,
)

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
    api.post("/v2/session/start").respond(
        403,
        json={
            "code": "quota_reached",
            "message": "You have reached your maximum instances limit.",
            "details": {"recommendation": "Upgrade your plan or delete unused instances."},
        },
    )

    with pytest.raises(PermanentError) as caught:
        engine.start()

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
