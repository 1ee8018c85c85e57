"""Sending deliveries: claim the due ones, POST each signed, record the attempt, back off.

A new delivery is sent by the task queued when it was created; retries wait for the
once-a-minute schedule (`api.tasks.deliver_due_webhooks`), since django-q2 has no ETA. Claims
use `SELECT ... FOR UPDATE SKIP LOCKED` and push `next_try_at` past a lease before the POST, so
two workers never send the same attempt; a worker that dies mid-POST leaves the delivery to be
retried after the lease (receivers deduplicate by the event id).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api.outgoing.addresses import AddressRefused, check_url
from api.outgoing.models import DeliveryStatus, WebhookDelivery, WebhookSubscriber
from api.outgoing.signing import signature_header

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# 30 s, 2 min, 8 min, 32 min, ~2 h, ~8.5 h, then 12 h: about a day before giving up.
FIRST_RETRY = timedelta(seconds=30)
RETRY_FACTOR = 4
LONGEST_RETRY = timedelta(hours=12)
JITTER = 0.2
# Longer than one POST can take (connect 5 s + read 10 s), so a claim outlives its attempt.
LEASE = timedelta(minutes=2)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# A few at a time, each within its lease, and a task stops claiming after TASK_SECONDS, well
# inside the task queue's timeout (Q_CLUSTER in config/settings.py).
CLAIM_BATCH = 5
TASK_SECONDS = 60.0
USER_AGENT = "Switchboard-Webhooks/1"
# Deletions per minute tick: the log shrinks steadily without one long delete.
PRUNE_BATCH = 10_000

D = DeliveryStatus


def retry_delay(attempts: int, rng: random.Random) -> timedelta:
    """How long after the `attempts`-th failed attempt the next one is due, with ±20% jitter
    so that many deliveries failing together do not come back together."""
    base = min(FIRST_RETRY * RETRY_FACTOR ** (attempts - 1), LONGEST_RETRY)
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


def http_client() -> httpx.Client:
    # No redirects (a 3xx is a failed attempt) and no proxies from the environment, so the
    # address checked in `check_url` is the one connected to.
    return httpx.Client(
        timeout=TIMEOUT,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


def deliver_due(
    delivery_ids: Iterable[str] | None = None,
    *,
    clock: Callable[[], datetime] = timezone.now,
    client: httpx.Client | None = None,
    rng: random.Random | None = None,
    seconds: float = TASK_SECONDS,
) -> bool:
    """Send the due deliveries (only those of `delivery_ids` when given), a few claimed at a
    time, for up to `seconds`; True when all were sent, False when some are left for later."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    ids = list(delivery_ids) if delivery_ids is not None else None
    deadline = time.monotonic() + seconds
    http = client or http_client()
    try:
        disabled: set[int] = set()
        while claimed := claim(clock(), ids):
            for delivery in claimed:
                if delivery.subscriber_id in disabled:
                    # Disabled by an earlier failure of this batch: it waits, unleased.
                    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_try_at=clock())
                elif not attempt(delivery, http, clock(), rng):
                    disabled.add(delivery.subscriber_id)
            if time.monotonic() >= deadline:
                return False
    finally:
        if client is None:
            http.close()
    return True


def claim(now: datetime, delivery_ids: Iterable[str] | None = None) -> list[WebhookDelivery]:
    active = WebhookSubscriber.objects.filter(active=True).values("pk")
    with transaction.atomic():
        due = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscriber")
            .filter(status__in=(D.PENDING, D.FAILED), next_try_at__lte=now, subscriber__in=active)
        )
        if delivery_ids is not None:
            due = due.filter(delivery_id__in=list(delivery_ids))
        claimed = list(due.order_by("next_try_at", "pk")[:CLAIM_BATCH])
        leased = [delivery.pk for delivery in claimed]
        WebhookDelivery.objects.filter(pk__in=leased).update(next_try_at=now + LEASE)
    return claimed


def attempt(
    delivery: WebhookDelivery, client: httpx.Client, now: datetime, rng: random.Random
) -> bool:
    """POST the delivery once and record it; False when that failure disabled the subscriber."""
    subscriber = delivery.subscriber
    body = json.dumps(delivery.body, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Switchboard-Event": delivery.event,
        "X-Switchboard-Delivery": str(delivery.delivery_id),
        "X-Switchboard-Signature": signature_header(subscriber.secret, int(now.timestamp()), body),
    }
    code, error = None, ""
    try:
        check_url(subscriber.url)
        # Streamed and never read: a receiver cannot make us download a large answer.
        with client.stream("POST", subscriber.url, content=body, headers=headers) as response:
            code = response.status_code
        if not 200 <= code < 300:
            followed = " (redirects are not followed)" if code < 400 else ""
            error = f"Answered HTTP {code}{followed}."
    except AddressRefused as exc:
        error = str(exc)
    except httpx.TimeoutException:
        error = "Timed out (connect 5 s, answer 10 s)."
    except httpx.HTTPError as exc:
        error = f"Could not connect ({type(exc).__name__})."
    except Exception:
        # Recorded like any failure, so the delivery backs off instead of being leased forever.
        logger.exception("Delivering webhook %s failed unexpectedly", delivery.delivery_id)
        error = "Switchboard failed while sending; it will try again."
    return record(delivery, code, error, now, rng)


def record(
    delivery: WebhookDelivery, code: int | None, error: str, now: datetime, rng: random.Random
) -> bool:
    """Store the attempt on the delivery and the subscriber's run of failures; False when the
    subscriber is disabled now."""
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "response_code": code, "error": error[:300]}
    subscribers = WebhookSubscriber.objects.filter(pk=delivery.subscriber_id)
    still_active = True
    with transaction.atomic():
        if not error:
            fields |= {"status": D.SUCCEEDED, "next_try_at": None}
            subscribers.filter(consecutive_failures__gt=0).update(consecutive_failures=0)
        elif attempts >= MAX_ATTEMPTS:
            fields |= {"status": D.GAVE_UP, "next_try_at": None}
        else:
            fields |= {"status": D.FAILED, "next_try_at": now + retry_delay(attempts, rng)}
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_tried_at=now, **fields)
        if error:
            subscribers.update(consecutive_failures=F("consecutive_failures") + 1)
            still_active = _disable_after_failures(delivery.subscriber_id, error, now)
    for name, value in {**fields, "last_tried_at": now}.items():
        setattr(delivery, name, value)
    return still_active


def prune_log(now: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete finished deliveries older than WEBHOOK_LOG_DAYS, a batch at a time; how many."""
    cutoff = now - timedelta(days=settings.WEBHOOK_LOG_DAYS)
    old = WebhookDelivery.objects.filter(
        created_at__lt=cutoff, status__in=(D.SUCCEEDED, D.GAVE_UP)
    ).order_by("created_at")
    pks = list(old.values_list("pk", flat=True)[:batch])
    return WebhookDelivery.objects.filter(pk__in=pks).delete()[0]


def _disable_after_failures(subscriber_id: int, error: str, now: datetime) -> bool:
    """Disable the subscriber at its limit of failures; False when it is disabled."""
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber_id)
    if not subscriber.active:
        return False
    if limit and subscriber.consecutive_failures >= limit:
        reason = f"Disabled after {subscriber.consecutive_failures} failed attempts in a row"
        subscriber.active = False
        subscriber.disabled_reason = f"{reason}; the last: {error}"[:300]
        subscriber.disabled_at = now
        subscriber.save(update_fields=["active", "disabled_reason", "disabled_at"])
        logger.warning("Webhook subscriber %s disabled: %s", subscriber_id, reason)
        return False
    return True
