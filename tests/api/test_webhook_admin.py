"""Webhook subscribers and their delivery log in the Django admin: searchable, filterable, the
log read-only and the secret never shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.outgoing.models import DeliveryStatus, WebhookDelivery
from tests.api.webhook_helpers import subscribe

pytestmark = pytest.mark.django_db


def _shown(response) -> set[str]:
    assert response.status_code == 200
    return {str(row) for row in response.context["cl"].result_list}


def test_subscribers_are_found_by_url_and_filtered_by_state(client_for, admin):
    subscribe("https://crm.example/findable", description="CRM")
    hidden, _ = subscribe("https://shop.example/hidden")
    hidden.active = False
    hidden.save()
    client = client_for(admin)
    url = reverse("admin:api_webhooksubscriber_changelist")

    assert _shown(client.get(url, {"q": "findable"})) == {"https://crm.example/findable"}
    assert _shown(client.get(url, {"active__exact": "0"})) == {"https://shop.example/hidden"}


def test_deliveries_are_found_by_event_id_and_filtered_by_status(client_for, admin):
    subscriber, _ = subscribe()
    findable = WebhookDelivery.objects.create(subscriber=subscriber, event="ping", body={})
    WebhookDelivery.objects.create(
        subscriber=subscriber, event="ping", body={}, status=DeliveryStatus.GAVE_UP
    )
    client = client_for(admin)
    url = reverse("admin:api_webhookdelivery_changelist")

    assert _shown(client.get(url, {"q": str(findable.event_id)})) == {str(findable)}
    assert len(_shown(client.get(url, {"status__exact": "gave_up"}))) == 1


def test_the_delivery_log_is_read_only_and_the_secret_never_shown(client_for, admin):
    subscriber, secret = subscribe()
    delivery = WebhookDelivery.objects.create(subscriber=subscriber, event="ping", body={})
    client = client_for(admin)

    change = reverse("admin:api_webhookdelivery_change", args=[delivery.pk])
    client.post(change, {"status": "succeeded"})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert client.get(reverse("admin:api_webhookdelivery_add")).status_code == 403
    assert client.get(reverse("admin:api_webhooksubscriber_add")).status_code == 403
    page = client.get(reverse("admin:api_webhooksubscriber_change", args=[subscriber.pk]))
    assert page.status_code == 200
    assert secret not in page.content.decode()
