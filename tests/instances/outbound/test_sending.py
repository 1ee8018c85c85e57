"""Sending through the real WAHA adapter to the simulator over HTTP, with its faults."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from instances.models import OutboundMessage
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.dispatcher import (
    MAX_ATTEMPTS,
    claim_next,
    reconcile_unconfirmed,
    recover_stale_sends,
    send_next,
)
from instances.outbound.errors import OutboundValidationError
from instances.outbound.status import wire_id

pytestmark = pytest.mark.django_db

TO = "+4915123456789"


def send_one(instance):
    return send_next(instance.pk, rng=random.Random(7))


def test_a_text_goes_out_once_with_switchboards_message_id(linked, accepted):
    message = enqueue(linked, TO, "text", {"text": "Ihre Bestellung ist unterwegs"})

    outcome = send_one(linked)

    message.refresh_from_db()
    assert outcome.status == S.SENT
    assert message.status == S.SENT and message.sent_at is not None
    (record,) = accepted()
    assert record["request"]["text"] == "Ihre Bestellung ist unterwegs"
    assert record["request"]["id"] == wire_id(message)
    assert message.provider_id == record["message"]["id"]
    assert message.tries.get().outcome == "sent"


def test_nothing_due_sends_nothing(linked, accepted):
    enqueue(linked, TO, "text", {"text": "later"}, send_at=timezone.now() + timedelta(hours=1))

    assert send_one(linked) is None
    assert accepted() == []


def test_a_gateway_failure_is_retried_later_with_the_reason_kept(linked, set_faults, accepted):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    set_faults(rate_500=1)
    before = timezone.now()

    send_one(linked)

    message.refresh_from_db()
    assert message.status == S.QUEUED
    assert message.due_at >= before + timedelta(seconds=4)
    assert message.last_error == "Internal server error"
    assert message.tries.get().outcome == "retry"
    assert accepted() == []


def test_a_rate_limit_waits_at_least_as_long_as_the_gateway_asks(linked, set_faults):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    set_faults(rate_429=1)
    before = timezone.now()

    send_one(linked)

    message.refresh_from_db()
    assert message.status == S.QUEUED
    assert message.due_at >= before + timedelta(seconds=1)


def test_retries_stop_after_the_limit_and_the_message_fails(linked, set_faults):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    set_faults(rate_500=1)
    for _ in range(MAX_ATEMPTS_PLUS_ONE := MAX_ATTEMPTS):
        message.refresh_from_db()
        message.due_at = timezone.now() - timedelta(seconds=1)
        message.save(update_fields=["due_at"])
        send_one(linked)

    message.refresh_from_db()
    assert message.attempts == MAX_ATEMPTS_PLUS_ONE
    assert message.status == S.FAILED
    assert message.last_error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts")


def test_a_kind_the_gateway_cannot_send_is_refused_when_queued(linked, accepted):
    with pytest.raises(OutboundValidationError) as refused:
        enqueue(
            linked,
            TO,
            "list",
            {
                "title": "Menu",
                "description": "Pick",
                "button_text": "Open",
                "sections": [{"title": "S", "rows": [{"id": "1", "title": "One"}]}],
            },
        )

    assert refused.value.errors["kind"] == ["WAHA (self-hosted) cannot send list messages."]
    assert not OutboundMessage.objects.exists()


def test_a_connection_lost_mid_send_is_unconfirmed_and_never_retried(linked, set_faults):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    set_faults(rate_reset=1)

    send_one(linked)
    set_faults(rate_reset=0)

    message.refresh_from_db()
    assert message.status == S.UNCONFIRMED
    assert "may have gone out" in message.last_error
    assert send_one(linked) is None


def test_a_send_left_by_a_dead_worker_is_reconciled_by_its_id(linked, sim_api):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    claimed = claim_next(linked, timezone.now(), "dead-worker")
    # The dead worker's request reached the engine before it died.
    sim_api.post(
        "/api/sendText",
        json={
            "session": "default",
            "chatId": claimed.chat_id,
            "text": "Hi",
            "id": wire_id(claimed),
        },
    ).raise_for_status()

    assert recover_stale_sends(timezone.now() + timedelta(minutes=3)) == 1

    message.refresh_from_db()
    assert message.status == S.SENT
    assert message.provider_id.endswith(wire_id(message))
    assert message.tries.get().outcome == "recovered"


def test_a_send_left_by_a_dead_worker_that_never_arrived_waits_for_a_person(linked, accepted):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    claim_next(linked, timezone.now(), "dead-worker")

    assert recover_stale_sends(timezone.now() + timedelta(seconds=30)) == 0
    assert recover_stale_sends(timezone.now() + timedelta(minutes=3)) == 1

    message.refresh_from_db()
    assert message.status == S.UNCONFIRMED
    assert accepted() == []


def test_a_send_waits_for_its_slot_before_claiming(linked, accepted):
    enqueue(linked, TO, "text", {"text": "Hi"})
    slot = timezone.now() + timedelta(milliseconds=400)
    waited: list[float] = []

    send_next(linked.pk, slot, rng=random.Random(1), sleep=waited.append)

    assert len(waited) == 1 and 0 < waited[0] <= 0.4
    assert len(accepted()) == 1


def test_an_unconfirmed_send_the_engine_has_is_settled_as_sent_by_its_id(
    linked, set_faults, accepted, settings
):
    settings.ENGINE_READ_TIMEOUT = 0.3
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    set_faults(rate_timeout=1, timeout_hold_s=1)

    send_one(linked)
    message.refresh_from_db()
    assert message.status == S.UNCONFIRMED

    set_faults(rate_timeout=0)
    assert reconcile_unconfirmed(timezone.now() + timedelta(seconds=30)) == 1
    message.refresh_from_db()
    assert message.status == S.SENT
    assert message.provider_id.endswith(wire_id(message))
    assert [t.outcome for t in message.tries.all()] == ["unconfirmed", "confirmed"]
    assert len(accepted()) == 1


def test_an_unconfirmed_send_the_engine_never_got_waits_for_a_person(linked, accepted):
    message = enqueue(linked, TO, "text", {"text": "Hi"})
    claim_next(linked, timezone.now(), "worker")
    message.refresh_from_db()
    message.status = S.UNCONFIRMED
    message.save(update_fields=["status"])

    assert reconcile_unconfirmed(timezone.now() + timedelta(seconds=30)) == 0
    message.refresh_from_db()
    assert message.status == S.UNCONFIRMED
