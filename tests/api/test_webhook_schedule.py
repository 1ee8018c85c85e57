"""The minute schedule sends what is due: an ack that arrived through the receiver reaches
the subscriber, signed, through the task entry points."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from api import tasks
from api.outgoing.delivery import prune_log
from api.outgoing.models import DeliveryStatus, WebhookDelivery
from api.outgoing.signing import verify
from instances.models import OutboundStatus
from instances.outbound import enqueue
from tests.api.webhook_helpers import subscribe
from tests.factories import InstanceFactory
from tests.inbox.webhooks import envelope, post

pytestmark = pytest.mark.django_db


def test_the_delivery_schedule_exists_and_runs_every_minute():
    schedule = Schedule.objects.get(name="Deliver due webhooks")

    assert schedule.func == "api.tasks.deliver_due_webhooks"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1


def test_an_ack_from_the_gateway_reaches_the_subscriber_signed(
    client, webhook_receiver, django_capture_on_commit_callbacks
):
    _, secret = subscribe(webhook_receiver.url, ["message.status"])
    instance = InstanceFactory()
    message = enqueue(instance, "+4917612345678", "text", {"text": "Hi"})
    ack = envelope("message.ack")
    message.status, message.provider_id = OutboundStatus.SENT, ack["payload"]["id"]
    message.save()

    with django_capture_on_commit_callbacks(execute=True):
        post(client, instance, ack)
    tasks.deliver_due_webhooks()

    (hook,) = webhook_receiver.wait_for(1)
    body = json.loads(hook.body)
    assert body["data"]["id"] == str(message.client_id)
    assert body["data"]["status"] == "read"
    timestamp = int(hook.headers["x-switchboard-signature"].split(",")[0][2:])
    assert verify(secret, hook.headers["x-switchboard-signature"], hook.body, now=timestamp)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_the_log_forgets_finished_deliveries_after_its_days(settings):
    settings.WEBHOOK_LOG_DAYS = 14
    subscriber, _ = subscribe()
    now = timezone.now()
    rows = {
        name: WebhookDelivery.objects.create(
            subscriber=subscriber, event="ping", body={}, status=status
        )
        for name, status in [
            ("old sent", DeliveryStatus.SUCCEEDED),
            ("old given up", DeliveryStatus.GAVE_UP),
            ("old retrying", DeliveryStatus.FAILED),
            ("recent sent", DeliveryStatus.SUCCEEDED),
        ]
    }
    for name in ("old sent", "old given up", "old retrying"):
        WebhookDelivery.objects.filter(pk=rows[name].pk).update(created_at=now - timedelta(days=15))

    assert prune_log(now) == 2

    left = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert left == {rows["old retrying"].pk, rows["recent sent"].pk}
