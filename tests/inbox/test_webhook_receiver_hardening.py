"""Whatever an engine (or anyone) posts, the receiver answers 2xx or 4xx with a reason."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from inbox.models import WebhookEvent
from instances.models import InstanceStatus
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def post(client, instance, body: bytes, *, signature: str | None = None, with_secret=False):
    if with_secret:
        url = reverse("hooks:receive_with_token", args=[instance.uuid, instance.webhook_secret])
    else:
        url = reverse("hooks:receive", args=[instance.uuid])
    headers = {} if signature is None else {"X-Webhook-Hmac": signature}
    return client.post(url, data=body, content_type="application/json", headers=headers)


def post_signed(client, instance, body: bytes):
    return post(client, instance, body, signature=sign(body, instance.webhook_secret))


def envelope(payload, **extra) -> dict:
    return {"id": "evt_1", "event": "message", "session": "default", "payload": payload, **extra}


@pytest.mark.parametrize(
    ("raw", "stored_body"),
    [
        (b'"NaN-here": NaN', None),
        (b'"big": 1e400', None),
        (b'"neg": -Infinity', None),
        (b'"nul": "a\\u0000b"', "a\ufffdb"),
        (b'"lone": "a\\ud800b"', "a\ufffdb"),
        (b'"raw": "a\xed\xa0\x80b"', "a\ufffd\ufffd\ufffdb"),
    ],
    ids=["nan", "overflow", "infinity", "nul-escape", "lone-surrogate", "raw-surrogate-bytes"],
)
def test_values_no_column_can_hold_are_stored_sanitised_with_the_original_body(
    client, raw, stored_body
):
    instance = InstanceFactory()
    key = raw.split(b'"')[1].decode()
    body = b'{"id": "evt_x", "event": "message", "session": "default", "payload": {"body": "hi", '
    body += raw + b"}}"
    response = post_signed(client, instance, body)
    assert response.status_code == 200, response.content
    event = WebhookEvent.objects.get()
    assert event.payload["payload"][key] == stored_body
    assert bytes(event.raw_body) == body


def test_a_clean_body_keeps_no_second_copy(client):
    instance = InstanceFactory()
    response = post_signed(client, instance, json.dumps(envelope({"body": "hi"})).encode())
    assert response.status_code == 200
    assert WebhookEvent.objects.get().raw_body is None


def test_nesting_a_thousand_deep_is_refused_with_a_reason(client):
    instance = InstanceFactory()
    body = b'{"event": "message", "payload": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = post_signed(client, instance, body)
    assert response.status_code == 400
    assert "nests deeper than" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("status", [["WORKING"], {"a": 1}, 7, None])
def test_a_session_status_that_is_not_a_word_is_stored_and_leaves_the_status_unknown(
    client, status
):
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    body = json.dumps(
        {"id": "evt_s", "event": "session.status", "payload": {"status": status}}
    ).encode()
    response = post_signed(client, instance, body)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().state == WebhookEvent.State.APPLIED
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.UNKNOWN


def test_a_non_ascii_signature_header_is_a_bad_signature_not_an_error(client):
    instance = InstanceFactory()
    response = post(client, instance, b"{}", signature="\u00e9t\u00e9")
    assert response.status_code == 401
    assert response.json() == {"error": "bad signature"}


def test_a_body_over_the_limit_is_refused_with_413_before_anything_is_stored(client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    instance = InstanceFactory()
    body = json.dumps(envelope({"body": "x" * 200})).encode()
    response = post_signed(client, instance, body)
    assert response.status_code == 413
    assert "larger than 100 bytes" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_a_long_push_name_is_cut_to_fit_and_the_status_still_applies(client):
    instance = InstanceFactory(status=InstanceStatus.SCAN_QR_CODE)
    body = json.dumps(
        {
            "id": "evt_me",
            "event": "session.status",
            "me": {"id": "4915112345678@c.us", "pushName": "N" * 500},
            "payload": {"status": "WORKING"},
        }
    ).encode()
    assert post_signed(client, instance, body).status_code == 200
    assert WebhookEvent.objects.get().state == WebhookEvent.State.APPLIED
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.WORKING
    assert instance.push_name == "N" * 100


class TestTheAddressWithTheSecret:
    body = json.dumps(envelope({"body": "hi"})).encode()

    def test_every_engine_is_given_the_address_with_the_secret(self):
        for engine in ("waha", "wawp", "messagepro"):
            instance = InstanceFactory(engine=engine)
            path = reverse(
                "hooks:receive_with_token", args=[instance.uuid, instance.webhook_secret]
            )
            assert instance.webhook_url.endswith(path)

    def test_accepts_an_unsigned_body(self, client):
        instance = InstanceFactory()
        assert post(client, instance, self.body, with_secret=True).status_code == 200

    def test_accepts_a_valid_signature(self, client):
        instance = InstanceFactory()
        signature = sign(self.body, instance.webhook_secret)
        response = post(client, instance, self.body, signature=signature, with_secret=True)
        assert response.status_code == 200

    def test_refuses_a_wrong_signature_and_stores_nothing(self, client):
        instance = InstanceFactory()
        signature = sign(self.body, "not-the-secret")
        response = post(client, instance, self.body, signature=signature, with_secret=True)
        assert response.status_code == 401
        assert not WebhookEvent.objects.exists()

    def test_the_address_without_the_secret_still_requires_a_signature(self, client):
        instance = InstanceFactory()
        assert post(client, instance, self.body).status_code == 401
        assert post_signed(client, instance, self.body).status_code == 200
