"""Deliveries over real HTTP to a local receiver: signed, retried with growing delays on a
hand-moved clock, given up, redelivered, and the subscriber disabled after failures."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from api.outgoing import services
from api.outgoing.delivery import MAX_ATTEMPTS, claim, deliver_due
from api.outgoing.events import create_deliveries, envelope
from api.outgoing.models import DeliveryStatus, OutgoingEvent, WebhookDelivery
from api.outgoing.signing import verify
from tests.api.webhook_helpers import subscribe
from tests.refused_address import REFUSED_URL

pytestmark = pytest.mark.django_db

D = DeliveryStatus
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = START):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock():
    return Clock()


def make_delivery(subscriber, clock, data=None) -> WebhookDelivery:
    body = envelope(OutgoingEvent.CONTACT_OPTED_OUT, data or {"phone": "+4915123456789"}, clock())
    create_deliveries([subscriber.pk], OutgoingEvent.CONTACT_OPTED_OUT, [body])
    delivery = WebhookDelivery.objects.get(event_id=body["id"], subscriber=subscriber)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_try_at=clock())
    return delivery


def run(clock) -> bool:
    return deliver_due(clock=clock, rng=random.Random(3))


def test_a_delivery_arrives_signed_with_its_event_and_ids(webhook_receiver, clock):
    subscriber, secret = subscribe(webhook_receiver.url)
    delivery = make_delivery(subscriber, clock, {"phone": "+4915123456789", "name": "Zoë"})

    run(clock)

    (hook,) = webhook_receiver.wait_for(1)
    assert json.loads(hook.body) == delivery.body
    assert hook.headers["content-type"] == "application/json"
    assert hook.headers["x-switchboard-event"] == "contact.opted_out"
    assert hook.headers["x-switchboard-delivery"] == str(delivery.delivery_id)
    signature = hook.headers["x-switchboard-signature"]
    assert signature.startswith(f"t={int(START.timestamp())},v1=")
    assert verify(secret, signature, hook.body, now=int(START.timestamp()))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.SUCCEEDED, 1, 200)


def test_a_signature_does_not_verify_with_another_body_secret_or_time(webhook_receiver, clock):
    subscriber, secret = subscribe(webhook_receiver.url)
    make_delivery(subscriber, clock)
    run(clock)
    (hook,) = webhook_receiver.wait_for(1)
    header, now = hook.headers["x-switchboard-signature"], int(START.timestamp())

    assert not verify(secret, header, hook.body + b" ", now=now)
    assert not verify("whsec_other", header, hook.body, now=now)
    assert not verify(secret, header, hook.body, now=now + 3600), "a replay an hour later"
    fresh_time = header.replace(f"t={now}", f"t={now + 60}")
    assert not verify(secret, fresh_time, hook.body, now=now + 60), "a replay with a new time"


def test_a_failure_is_retried_after_the_backoff_and_then_succeeds(webhook_receiver, clock):
    subscriber, _ = subscribe(webhook_receiver.url)
    delivery = make_delivery(subscriber, clock)
    webhook_receiver.respond_with(500)

    run(clock)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.FAILED, 1, 500)
    assert delivery.error == "Answered HTTP 500."
    assert timedelta(seconds=24) <= delivery.next_try_at - START <= timedelta(seconds=36)

    clock.at = delivery.next_try_at - timedelta(seconds=1)
    run(clock)
    assert len(webhook_receiver.events()) == 1, "not due yet"

    clock.at = delivery.next_try_at
    run(clock)

    first, second = webhook_receiver.wait_for(2)
    assert first.body == second.body, "a retry sends the same event"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.SUCCEEDED, 2, 200)
    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 0


def test_delays_grow_fourfold_and_the_last_attempt_gives_up(webhook_receiver, clock):
    subscriber, _ = subscribe(webhook_receiver.url)
    delivery = make_delivery(subscriber, clock)
    webhook_receiver.respond_with(*[503] * MAX_ATTEMPTS)
    delays = []

    for _ in range(MAX_ATTEMPTS):
        run(clock)
        delivery.refresh_from_db()
        if delivery.next_try_at:
            delays.append((delivery.next_try_at - clock.at).total_seconds())
            clock.at = delivery.next_try_at

    assert len(webhook_receiver.wait_for(MAX_ATTEMPTS)) == MAX_ATTEMPTS
    assert (delivery.status, delivery.attempts) == (D.GAVE_UP, MAX_ATTEMPTS)
    bases = [30, 120, 480, 1920, 7680, 30720, 43200]
    assert len(delays) == len(bases)
    for delay, base in zip(delays, bases, strict=True):
        assert base * 0.8 <= delay <= base * 1.2
    run(clock)
    assert len(webhook_receiver.events()) == MAX_ATTEMPTS


def test_a_claimed_delivery_is_not_claimed_again_by_another_worker(webhook_receiver, clock):
    subscriber, _ = subscribe(webhook_receiver.url)
    make_delivery(subscriber, clock)

    assert len(claim(clock())) == 1
    assert claim(clock()) == []
    assert run(clock) is True
    assert webhook_receiver.events() == []


def test_redirects_are_not_followed(webhook_receiver, clock):
    subscriber, _ = subscribe(webhook_receiver.url)
    delivery = make_delivery(subscriber, clock)
    webhook_receiver.respond_with(302)

    run(clock)

    delivery.refresh_from_db()
    assert delivery.status == D.FAILED
    assert delivery.error == "Answered HTTP 302 (redirects are not followed)."
    assert len(webhook_receiver.events()) == 1


def test_a_receiver_that_refuses_connections_is_a_failed_attempt(clock):
    subscriber, _ = subscribe(REFUSED_URL + "/hooks")
    delivery = make_delivery(subscriber, clock)

    run(clock)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == (D.FAILED, None)
    assert delivery.error == "Could not connect (ConnectError)."


def test_private_addresses_are_refused_in_production(webhook_receiver, clock, settings):
    subscriber, _ = subscribe(webhook_receiver.url)
    delivery = make_delivery(subscriber, clock)
    settings.WEBHOOK_ALLOW_PRIVATE = False

    run(clock)

    delivery.refresh_from_db()
    assert delivery.status == D.FAILED
    assert "private network" in delivery.error
    assert webhook_receiver.events() == []


def test_repeated_failures_disable_the_subscriber_with_a_reason(webhook_receiver, clock, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    subscriber, _ = subscribe(webhook_receiver.url)
    deliveries = [make_delivery(subscriber, clock) for _ in range(4)]
    webhook_receiver.respond_with(500, 500, 500)

    run(clock)

    subscriber.refresh_from_db()
    assert not subscriber.active
    assert subscriber.disabled_reason == (
        "Disabled after 3 failed attempts in a row; the last: Answered HTTP 500."
    )
    assert subscriber.disabled_at == START
    assert len(webhook_receiver.events()) == 3, "the fourth waits for the subscriber"
    deliveries[3].refresh_from_db()
    assert deliveries[3].status == D.PENDING
    created = create_deliveries(
        [subscriber.pk], OutgoingEvent.PING, [envelope(OutgoingEvent.PING, {}, START)]
    )
    assert created == [], "a disabled subscriber gets no new deliveries"


def test_enabling_resets_the_failures_and_sends_what_waited(webhook_receiver, clock, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    subscriber, _ = subscribe(webhook_receiver.url)
    make_delivery(subscriber, clock)
    webhook_receiver.respond_with(500)
    run(clock)
    subscriber.refresh_from_db()
    assert not subscriber.active

    clock.at = START + timedelta(seconds=1)
    services.enable_subscriber(subscriber, now=clock())
    run(clock)

    subscriber.refresh_from_db()
    assert subscriber.active and subscriber.consecutive_failures == 0
    assert subscriber.disabled_reason == ""
    assert len(webhook_receiver.wait_for(2)) == 2
    assert WebhookDelivery.objects.get().status == D.SUCCEEDED


def test_a_delivery_that_gave_up_can_be_redelivered(
    webhook_receiver, clock, django_capture_on_commit_callbacks
):
    subscriber, _ = subscribe(webhook_receiver.url)
    delivery = make_delivery(subscriber, clock)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=D.GAVE_UP, attempts=MAX_ATTEMPTS, next_try_at=None, error="Answered HTTP 500."
    )

    with django_capture_on_commit_callbacks() as queued:
        services.redeliver(delivery)
    assert len(queued) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (D.PENDING, 0, "")

    deliver_due([str(delivery.delivery_id)], rng=random.Random(3))

    (hook,) = webhook_receiver.wait_for(1)
    assert json.loads(hook.body)["id"] == delivery.body["id"]
    delivery.refresh_from_db()
    assert delivery.status == D.SUCCEEDED
