"""Turning something that happened into deliveries, once its transaction commits.

Message statuses change thousands of times a second under load, so finding out that nobody
subscribes must not cost a query: each process keeps the active subscribers for up to
WEBHOOK_SUBSCRIBERS_TTL seconds (forgotten at once in the process that changes a subscriber;
other processes see a new subscriber within the TTL). With subscribers, each emitted event
costs one bulk insert and one queued task after commit, however many subscribe.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from api.outgoing.models import WebhookDelivery, WebhookSubscriber

logger = logging.getLogger(__name__)

# (monotonic time loaded, [(subscriber id, events subscribed; empty for all)])
_subscribers: tuple[float, list[tuple[int, list[str]]]] | None = None


def forget_subscribers() -> None:
    global _subscribers
    _subscribers = None


def subscriber_ids(event: str, clock: Callable[[], float] = time.monotonic) -> list[int]:
    """The active subscribers of `event`, from this process's copy while it is fresh."""
    global _subscribers
    now = clock()
    if _subscribers is None or now - _subscribers[0] > settings.WEBHOOK_SUBSCRIBERS_TTL:
        rows = WebhookSubscriber.objects.filter(active=True).values_list("pk", "events")
        _subscribers = (now, list(rows))
    return [pk for pk, events in _subscribers[1] if not events or event in events]


def timestamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def envelope(event: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "event": event, "createdAt": timestamp(at), "data": data}


def emit(event: str, build: Callable[[], Iterable[dict[str, Any]]]) -> None:
    """Deliver `event` to its subscribers after the current transaction commits (nothing if it
    rolls back). `build` gives the data of each occurrence and runs only when someone
    subscribes, inside the transaction, so it sees the change."""
    ids = subscriber_ids(event)
    if not ids:
        return
    at = timezone.now()
    try:
        bodies = [envelope(event, data, at) for data in build()]
    except Exception:
        # The change that emits must not fail for its webhook: log it, send nothing.
        logger.exception("Building the %s webhook failed", event)
        return
    if bodies:
        # Robust: the change is committed by then, so a failure is logged, never raised.
        transaction.on_commit(lambda: create_deliveries(ids, event, bodies), robust=True)


def create_deliveries(subscriber_ids: list[int], event: str, bodies: list[dict]) -> list[str]:
    """One delivery per subscriber and body, in one insert, and one task to send them."""
    # A subscriber disabled or deleted since the event was emitted gets nothing.
    active = WebhookSubscriber.objects.filter(pk__in=subscriber_ids, active=True)
    deliveries = [
        WebhookDelivery(
            subscriber_id=pk,
            event=event,
            event_id=body["id"],
            body=body,
            next_try_at=timezone.now(),
        )
        for pk in active.values_list("pk", flat=True)
        for body in bodies
    ]
    if not deliveries:
        return []
    WebhookDelivery.objects.bulk_create(deliveries)
    delivery_ids = [str(delivery.delivery_id) for delivery in deliveries]
    queue_deliveries(delivery_ids)
    return delivery_ids


def queue_deliveries(delivery_ids: list[str]) -> None:
    async_task("api.tasks.deliver_webhooks", delivery_ids, group="webhooks")
