from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.urls import reverse

from inbox.models import WebhookEvent
from inbox.signatures import hmac_is_valid
from instances.models import InstanceStatus, StatusChange
from instances.services import record_status
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "waha"


def fixture_body(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def post_signed(client, instance, body: bytes, *, secret: str | None = None):
    return client.post(
        reverse("hooks:receive", args=[instance.uuid]),
        data=body,
        content_type="application/json",
        headers={
            "X-Webhook-Hmac": sign(body, secret or instance.webhook_secret),
            "X-Webhook-Hmac-Algorithm": "sha512",
        },
    )


def test_wahas_published_test_vector_verifies():
    body = b'{"event":"message","session":"default","engine":"WEBJS"}'
    vector = (
        "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8"
        "097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89"
    )
    assert hmac_is_valid(body, "my-secret-key", vector, "sha512")
    assert not hmac_is_valid(body + b" ", "my-secret-key", vector, "sha512")
    assert not hmac_is_valid(body, "my-secret-key", vector, "md5")


def test_signed_session_status_is_stored_and_applied(client):
    instance = InstanceFactory(status=InstanceStatus.SCAN_QR_CODE)
    response = post_signed(client, instance, fixture_body("session.status"))
    assert response.status_code == 200
    assert response.json() == {"stored": 1, "duplicates": 0}
    event = WebhookEvent.objects.get()
    assert (event.event, event.kind, event.state) == ("session.status", "session_status", "applied")
    assert event.event_id == "evt_01jc3x8k2mq7v5d9r4t6y1w0za"
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.WORKING
    assert instance.phone == "+4915112345678"
    assert instance.last_event_at is not None
    assert instance.status_changes.get().source == "webhook"


def test_a_duplicate_event_is_acknowledged_and_changes_nothing(client):
    instance = InstanceFactory()
    body = fixture_body("message.ack")
    post_signed(client, instance, body)
    response = post_signed(client, instance, body)
    assert response.status_code == 200
    assert response.json() == {"stored": 0, "duplicates": 1}
    assert WebhookEvent.objects.count() == 1


def test_a_repeated_status_report_without_id_is_applied_every_time(client):
    # Old WAHA repeats an identical STARTING body while it reconnects; after the session moved
    # on, the same report must move it back rather than be dropped as a duplicate.
    instance = InstanceFactory(status=InstanceStatus.STOPPED)
    envelope = json.loads(fixture_body("session.status.old"))
    envelope["payload"]["status"] = "STARTING"
    body = json.dumps(envelope).encode()
    assert post_signed(client, instance, body).json() == {"stored": 1, "duplicates": 0}
    record_status(instance.pk, InstanceStatus.WORKING, source=StatusChange.Source.POLL)

    assert post_signed(client, instance, body).json() == {"stored": 1, "duplicates": 0}

    instance.refresh_from_db()
    assert instance.status == InstanceStatus.STARTING
    assert WebhookEvent.objects.filter(event="session.status").count() == 2


def test_old_style_acks_are_deduplicated_on_message_and_ack_level(client):
    instance = InstanceFactory()
    envelope = json.loads(fixture_body("message.ack.old"))
    post_signed(client, instance, json.dumps(envelope).encode())
    envelope["payload"]["ack"] = envelope["payload"]["ack"] + 1
    envelope["payload"].pop("ackName", None)
    post_signed(client, instance, json.dumps(envelope).encode())
    ids = sorted(WebhookEvent.objects.values_list("event_id", flat=True))
    assert len(ids) == 2 and ids[0] != ids[1]


@pytest.mark.parametrize(
    "name", ["message", "message.any", "message.reaction", "message.revoked", "message.edited"]
)
def test_message_events_are_applied_to_the_inbox(client, name):
    instance = InstanceFactory()
    assert post_signed(client, instance, fixture_body(name)).status_code == 200
    assert WebhookEvent.objects.get().state == WebhookEvent.State.APPLIED


def test_an_unknown_event_kind_is_stored_as_unsupported(client):
    instance = InstanceFactory()
    body = json.dumps(
        {"id": "evt_x1", "event": "presence.update", "session": "default", "payload": {}}
    ).encode()
    assert post_signed(client, instance, body).status_code == 200
    assert WebhookEvent.objects.get().state == WebhookEvent.State.UNSUPPORTED


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client):
    instance = InstanceFactory()
    response = post_signed(client, instance, fixture_body("session.status"), secret="not-it")
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_missing_signature_is_refused(client):
    instance = InstanceFactory()
    response = client.post(
        reverse("hooks:receive", args=[instance.uuid]),
        data=fixture_body("session.status"),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_an_unknown_instance_is_404(client):
    instance = InstanceFactory()
    body = fixture_body("session.status")
    instance_uuid = instance.uuid
    instance.delete()
    response = client.post(
        reverse("hooks:receive", args=[instance_uuid]),
        data=body,
        content_type="application/json",
        headers={"X-Webhook-Hmac": sign(body, "anything")},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"event": "session.status"}', b'{"payload": {}}', b""],
    ids=["not-json", "array", "no-payload", "no-event", "empty"],
)
def test_a_body_that_is_not_an_envelope_is_400(client, body):
    instance = InstanceFactory()
    response = post_signed(client, instance, body)
    assert response.status_code == 400
    assert "envelope" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_only_post_is_accepted(client):
    instance = InstanceFactory()
    assert client.get(reverse("hooks:receive", args=[instance.uuid])).status_code == 405


def test_engines_that_cannot_sign_authenticate_with_the_secret_in_the_url(client):
    instance = InstanceFactory(engine="wawp")
    assert "/hooks/" in instance.webhook_url and instance.webhook_secret in instance.webhook_url
    body = json.dumps(
        {
            "id": "evt_wawp1",
            "event": "session.status",
            "session": "wawp-1",
            "payload": {"name": "wawp-1", "status": "WORKING"},
        }
    ).encode()
    good = reverse("hooks:receive_with_token", args=[instance.uuid, instance.webhook_secret])
    bad = reverse("hooks:receive_with_token", args=[instance.uuid, "guess"])
    assert client.post(bad, data=body, content_type="application/json").status_code == 401
    assert client.post(good, data=body, content_type="application/json").status_code == 200
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.WORKING


def test_a_handler_error_keeps_the_event_as_failed_and_answers_200(client, monkeypatch):
    from inbox import handlers

    def broken(instance, event):
        raise RuntimeError("bug")

    monkeypatch.setitem(handlers.HANDLERS, handlers.EventKind.SESSION_STATUS, broken)
    instance = InstanceFactory()
    response = post_signed(client, instance, fixture_body("session.status"))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.state, event.error) == ("failed", "RuntimeError: bug")
