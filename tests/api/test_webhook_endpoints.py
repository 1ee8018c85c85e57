"""Seed 002's `/webhooks`: list, create (the secret once) and delete, admin keys only."""

from __future__ import annotations

import pytest
from django.db import connection

from api.outgoing.models import WebhookSubscriber
from tests.api.webhook_helpers import subscribe

pytestmark = pytest.mark.django_db


def test_an_admin_key_creates_a_webhook_and_gets_its_secret_once(call, make_key):
    token = make_key("admin")

    response = call(
        "post",
        "webhooks",
        token=token,
        json={
            "url": "https://crm.example/hooks",
            "events": ["message.status", "contact.opted_out"],
            "description": "CRM",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True and body["meta"]["timestamp"]
    data = body["data"]
    assert data["secret"].startswith("whsec_")
    assert data["events"] == ["contact.opted_out", "message.status"]
    subscriber = WebhookSubscriber.objects.get(pk=int(data["id"]))
    assert subscriber.secret == data["secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhooksubscriber WHERE id = %s", [subscriber.pk])
        (stored,) = cursor.fetchone()
    assert data["secret"] not in stored, "stored encrypted"

    listed = call("get", "webhooks", token=token).json()
    assert [item["id"] for item in listed["data"]] == [data["id"]]
    assert "secret" not in listed["data"][0]
    assert listed["meta"]["total"] == 1


def test_no_events_means_all_of_them(call, make_key):
    response = call(
        "post", "webhooks", token=make_key("admin"), json={"url": "https://crm.example/h"}
    )

    assert response.status_code == 201
    assert "message.received" in response.json()["data"]["events"]
    assert WebhookSubscriber.objects.get().events == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://crm.example/h"}, "url"),
        ({"url": "https://crm example/h"}, "url"),
        ({"url": "https://crm.example/h", "events": ["message.deleted"]}, "events"),
        ({"url": "https://crm.example/h", "events": "message.status"}, "events"),
        ({"events": ["message.status"]}, "url"),
        ({"url": "https://crm.example/" + "x" * 2000}, "url"),
    ],
)
def test_a_bad_webhook_is_refused_with_the_field(call, make_key, body, field):
    response = call("post", "webhooks", token=make_key("admin"), json=body)

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"]
    assert not WebhookSubscriber.objects.exists()


def test_an_internal_address_is_refused_in_production(call, make_key, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    response = call(
        "post", "webhooks", token=make_key("admin"), json={"url": "http://10.0.0.5/hooks"}
    )

    assert response.status_code == 422
    assert "WEBHOOK_ALLOW_PRIVATE" in response.json()["error"]["message"]


def test_an_admin_key_deletes_a_webhook_and_a_second_delete_is_not_found(call, make_key):
    token = make_key("admin")
    subscriber, _ = subscribe()

    deleted = call("delete", f"webhooks/{subscriber.pk}", token=token)
    again = call("delete", f"webhooks/{subscriber.pk}", token=token)

    assert deleted.status_code == 200
    assert deleted.json()["data"] == {"id": str(subscriber.pk), "deleted": True}
    assert not WebhookSubscriber.objects.exists()
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("webhook_id", ["abc", "9" * 40, "-1"])
def test_a_malformed_id_is_not_found(call, make_key, webhook_id):
    response = call("delete", f"webhooks/{webhook_id}", token=make_key("admin"))

    assert response.status_code == 404
    assert response.json()["success"] is False


@pytest.mark.parametrize("role", ["operator", "read_only"])
def test_other_keys_may_not_touch_webhooks(call, make_key, role):
    token = make_key(role)
    subscriber, _ = subscribe()

    answers = [
        call("get", "webhooks", token=token),
        call("post", "webhooks", token=token, json={"url": "https://crm.example/h"}),
        call("delete", f"webhooks/{subscriber.pk}", token=token),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert {answer.json()["error"]["code"] for answer in answers} == {"FORBIDDEN"}
    assert WebhookSubscriber.objects.count() == 1


def test_without_a_key_the_answer_is_401(call):
    response = call("get", "webhooks")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
