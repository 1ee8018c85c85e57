"""Subscriber verbs for the Webhooks page and the API: create (the secret is returned once),
delete, disable, enable, redeliver, send a test event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from api.outgoing import payloads
from api.outgoing.addresses import check_url
from api.outgoing.events import create_deliveries, envelope, queue_deliveries
from api.outgoing.models import (
    SUBSCRIBABLE,
    DeliveryStatus,
    OutgoingEvent,
    WebhookDelivery,
    WebhookSubscriber,
)
from api.outgoing.signing import new_secret

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class SubscriberRefused(ValueError):
    """Why a subscriber cannot be made or changed; the message is safe to show."""


def create_subscriber(
    url: str,
    events: Iterable[str] = (),
    *,
    description: str = "",
    created_by: AbstractBaseUser | None = None,
) -> tuple[WebhookSubscriber, str]:
    """The new subscriber and its signing secret (stored encrypted; shown to the user once)."""
    check_url(url)
    chosen = sorted(set(events))
    if unknown := [event for event in chosen if event not in SUBSCRIBABLE]:
        raise SubscriberRefused(f"Unknown event {unknown[0][:40]!r}.")
    secret = new_secret()
    subscriber = WebhookSubscriber.objects.create(
        url=url,
        events=chosen if set(chosen) != set(SUBSCRIBABLE) else [],
        secret=secret,
        description=description,
        created_by=created_by,
    )
    return subscriber, secret


def delete_subscriber(subscriber: WebhookSubscriber) -> None:
    subscriber.delete()


def disable_subscriber(subscriber: WebhookSubscriber, reason: str) -> None:
    subscriber.active = False
    subscriber.disabled_reason = reason[:300]
    subscriber.disabled_at = timezone.now()
    subscriber.save(update_fields=["active", "disabled_reason", "disabled_at"])


def enable_subscriber(subscriber: WebhookSubscriber, now: datetime | None = None) -> None:
    """Active again with a clean run of failures; its waiting retries go out at once."""
    subscriber.active = True
    subscriber.disabled_reason = ""
    subscriber.disabled_at = None
    subscriber.consecutive_failures = 0
    fields = ["active", "disabled_reason", "disabled_at", "consecutive_failures"]
    with transaction.atomic():
        subscriber.save(update_fields=fields)
        subscriber.deliveries.filter(status=DeliveryStatus.FAILED).update(
            next_try_at=now or timezone.now()
        )


def redeliver(delivery: WebhookDelivery) -> None:
    """Send the same body again (same event id) with a fresh set of attempts."""
    if not delivery.subscriber.active:
        raise SubscriberRefused("The subscriber is disabled: enable it first.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, error="", next_try_at=timezone.now()
        )
        delivery_id = str(delivery.delivery_id)
        transaction.on_commit(lambda: queue_deliveries([delivery_id]))


def send_test_event(subscriber: WebhookSubscriber) -> None:
    if not subscriber.active:
        raise SubscriberRefused("The subscriber is disabled: enable it first.")
    body = envelope(OutgoingEvent.PING, payloads.ping(), timezone.now())
    transaction.on_commit(lambda: create_deliveries([subscriber.pk], OutgoingEvent.PING, [body]))
