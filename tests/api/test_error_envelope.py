"""Every failure under /api/ answers seed 002's error envelope with its fixed code, never HTML."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) >= {"code", "message"}
    return body["error"]


def test_malformed_json_is_a_validation_error(client, make_key):
    response = client.post(
        "/api/v1/messages/text",
        "{not json",
        content_type="application/json",
        HTTP_X_API_KEY=make_key(),
    )
    assert error_of(response, 400)["code"] == "VALIDATION_ERROR"


def test_a_missing_field_is_named_in_the_validation_error(call, make_key, sales):
    response = call("post", "messages/text", token=make_key(), json={"profileId": str(sales.uuid)})
    error = error_of(response, 422)
    assert error["code"] == "VALIDATION_ERROR"
    assert "chatId" in error["details"]
    assert "content" in error["details"]


def test_a_refused_value_names_the_field_as_the_request_does(call, make_key, sales):
    body = {"profileId": str(sales.uuid), "chatId": "not a number", "content": {"text": "Hi"}}
    error = error_of(call("post", "messages/text", token=make_key(), json=body), 422)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("chatId:")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/nothing/here", "/api/v2/profiles"])
def test_an_unknown_path_is_not_found(client, path):
    assert error_of(client.get(path), 404)["code"] == "NOT_FOUND"


def test_a_wrong_method_is_refused_with_the_envelope(call, make_key):
    response = call("delete", "messages/text", token=make_key())
    error = error_of(response, 405)
    assert error["code"] == "NOT_FOUND"
    assert "POST" in response["Allow"]


def test_an_unknown_message_is_not_found(call, make_key):
    token = make_key()
    for message_id in ("1", "00000000-0000-0000-0000-000000000000", "x" * 500):
        assert error_of(call("get", f"messages/{message_id}", token=token), 404)["code"] == (
            "NOT_FOUND"
        )


def test_an_engine_failure_is_an_engine_error(call, make_key, sales):
    # The factory's instance points at a port that refuses connections.
    response = call("post", f"profiles/{sales.uuid}/connect", token=make_key("admin"))
    assert error_of(response, 502)["code"] == "ENGINE_ERROR"


def test_a_qr_before_connecting_is_a_conflict(call, make_key, sales):
    response = call("get", f"profiles/{sales.uuid}/qr", token=make_key("admin"))
    assert error_of(response, 409)["code"] == "CONFLICT"


def test_a_post_with_a_key_needs_no_csrf_token(make_key, sales):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}
    response = strict.post(
        "/api/v1/messages/text",
        body,
        content_type="application/json",
        HTTP_X_API_KEY=make_key(),
    )
    assert response.status_code == 201


def test_a_body_over_the_size_limit_is_refused(client, make_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"content": {"text": "' + "x" * 2000 + '"}}'
    response = client.post(
        "/api/v1/messages/text", body, content_type="application/json", HTTP_X_API_KEY=make_key()
    )
    assert error_of(response, 413)["code"] == "VALIDATION_ERROR"


def test_a_fault_on_our_side_is_an_internal_error_without_a_trace(
    call, make_key, sales, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    # An injected fault: nothing in the real code path is known to fail this way.
    monkeypatch.setattr("api.messages.enqueue", broken)
    body = {"profileId": str(sales.uuid), "chatId": "+4915123456789", "content": {"text": "Hi"}}
    response = call("post", "messages/text", token=make_key(), json=body)
    assert error_of(response, 500)["code"] == "INTERNAL_ERROR"
    assert b"secret detail" not in response.content
