"""Pacing off: a send task claims rows in batches, sends them in order and hands its turn on."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from instances.models import OutboundStatus as S
from instances.models import QueueSettings, SendAttempt
from instances.outbound import enqueue
from instances.outbound.dispatcher import BATCH, claim_batch, recover_stale_sends, send_next
from instances.outbound.pump import dispatch_due

pytestmark = pytest.mark.django_db

TO = "+4915123456789"


def queued_tasks() -> list[str]:
    return [task.task["func"] for task in OrmQ.objects.all()]


def burst(instance, **kwargs):
    return send_next(instance.pk, rng=random.Random(3), **kwargs)


def test_a_burst_sends_every_due_message_by_priority_then_age(linked, accepted):
    for n in range(4):
        enqueue(linked, TO, "text", {"text": f"normal {n}"})
    enqueue(linked, TO, "text", {"text": "urgent"}, priority=10)

    assert burst(linked).status == S.SENT

    assert [r["request"]["text"] for r in accepted()] == [
        "urgent",
        "normal 0",
        "normal 1",
        "normal 2",
        "normal 3",
    ]
    assert SendAttempt.objects.filter(outcome="sent").count() == 5


def test_a_burst_stops_at_the_per_minute_cap(linked, accepted):
    QueueSettings.objects.filter(instance=linked).update(per_minute_cap=3)
    for n in range(5):
        enqueue(linked, TO, "text", {"text": f"m{n}"})

    burst(linked)

    assert len(accepted()) == 3
    assert linked.outbound.filter(status=S.QUEUED).count() == 2


def test_a_retry_ends_the_burst_and_leaves_the_untried_rows_as_they_were(
    linked, set_faults, accepted
):
    for n in range(3):
        enqueue(linked, TO, "text", {"text": f"m{n}"})
    set_faults(rate_429=1)

    burst(linked)

    first, *rest = linked.outbound.order_by("id")
    assert first.status == S.QUEUED and first.attempts == 1
    assert [(m.status, m.attempts, m.tries.count()) for m in rest] == [(S.QUEUED, 0, 0)] * 2
    assert accepted() == []


def test_a_burst_with_more_to_send_hands_the_turn_to_the_next_task(
    linked, accepted, django_capture_on_commit_callbacks
):
    QueueSettings.objects.filter(instance=linked).update(per_minute_cap=BATCH + 5)
    for n in range(BATCH + 5):
        enqueue(linked, TO, "text", {"text": f"m{n}"})
    OrmQ.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        burst(linked, burst_seconds=0)

    assert len(accepted()) == BATCH
    assert queued_tasks() == ["instances.tasks.send_next"]
    held = QueueSettings.objects.get(instance=linked).burst_until
    assert held is not None and held > timezone.now()
    # Meanwhile the pump leaves the instance to its chain.
    handed: list[int] = []
    assert dispatch_due(timezone.now(), random.Random(1), lambda pk, at: handed.append(pk)) == 0


def test_a_finished_burst_gives_the_turn_back_to_the_pump(
    linked, accepted, django_capture_on_commit_callbacks
):
    enqueue(linked, TO, "text", {"text": "only one"})
    QueueSettings.objects.filter(instance=linked).update(burst_until=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        burst(linked)

    assert len(accepted()) == 1
    assert QueueSettings.objects.get(instance=linked).burst_until is None
    assert "instances.tasks.send_next" not in queued_tasks()


def test_after_a_crash_only_the_first_unfinished_row_of_a_batch_waits_for_a_person(
    linked, accepted
):
    for n in range(3):
        enqueue(linked, TO, "text", {"text": f"m{n}"})
    first, second, third = claim_batch(linked, timezone.now(), "dead-worker", limit=3)

    assert recover_stale_sends(timezone.now() + timedelta(minutes=3)) == 3

    first.refresh_from_db()
    assert first.status == S.UNCONFIRMED
    for untried in (second, third):
        untried.refresh_from_db()
        assert untried.status == S.QUEUED
        assert "queued again" in untried.tries.get().detail
    # The requeued rows go out normally; the unconfirmed one is left for a person.
    burst(linked)
    assert [r["request"]["text"] for r in accepted()] == ["m1", "m2"]
