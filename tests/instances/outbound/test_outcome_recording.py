"""What a send leaves behind: its outcome on the row and its attempt, written cheaply enough
for bursts (one statement a send on PostgreSQL), and never stepping back over an ack."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instances.engines.base import Ack
from instances.models import OutboundStatus as S
from instances.models import QueueSettings, SendAttempt
from instances.outbound import enqueue
from instances.outbound.dispatcher import BATCH, claim_batch, claim_next, send_claimed, send_next
from instances.outbound.status import apply_ack, wire_id

pytestmark = pytest.mark.django_db

TO = "+4915123456789"


def test_an_ack_that_outruns_the_send_answer_keeps_its_status_and_the_attempt_is_finished(
    linked, accepted
):
    enqueue(linked, TO, "text", {"text": "Hi"})
    message = claim_next(linked, timezone.now(), "worker")
    # The engine's ack names the send by the client id before the send's answer is recorded.
    assert apply_ack(linked, f"true_4915123456789@c.us_{wire_id(message)}", Ack.DEVICE)

    assert send_claimed(message, rng=random.Random(1)).status == S.SENT

    message.refresh_from_db()
    assert message.status == S.DELIVERED
    assert message.provider_id == f"true_4915123456789@c.us_{wire_id(message)}"
    attempt = message.tries.get()
    assert attempt.outcome == "sent" and attempt.finished_at is not None
    assert len(accepted()) == 1


def test_a_claimed_batch_is_numbered_in_sending_order_with_an_open_attempt_each(linked):
    for n in range(4):
        enqueue(linked, TO, "text", {"text": f"normal {n}"})
    enqueue(linked, TO, "text", {"text": "urgent"}, priority=5)
    now = timezone.now()

    batch = claim_batch(linked, now, "host:1", limit=3, planned_for=now)

    assert [m.payload["text"] for m in batch] == ["urgent", "normal 0", "normal 1"]
    assert [m.claim_order for m in batch] == [0, 1, 2]
    assert {(m.status, m.attempts, m.claimed_by) for m in batch} == {(S.SENDING, 1, "host:1")}
    attempts = SendAttempt.objects.filter(message__in=batch)
    assert {(a.outcome, a.worker, a.planned_for, a.instance_id) for a in attempts} == {
        ("sending", "host:1", now, linked.pk)
    }
    assert linked.outbound.filter(status=S.QUEUED).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement path")
def test_a_burst_costs_about_one_statement_per_message_on_postgresql(linked, accepted):
    QueueSettings.objects.filter(instance=linked).update(per_minute_cap=BATCH)
    for n in range(BATCH):
        enqueue(linked, TO, "text", {"text": f"m{n}"})

    with CaptureQueriesContext(connection) as statements:
        send_next(linked.pk, rng=random.Random(1))

    assert len(accepted()) == BATCH
    # One statement per outcome, one claim per batch, and a handful per burst (settings, caps,
    # the hand-on); the ORM needed more than four a message.
    assert len(statements) <= BATCH + 12
