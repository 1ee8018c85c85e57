"""message-pro errors mapped to the typed errors, with the token never shown."""

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
from tests.instances.engines.messagepro.gateway import CHAT, INSTANCE, TOKEN


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
