"""The pump: one at a time across hosts, a turn for each ready instance, asleep until the next."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from instances.models import InstanceStatus, QueueSettings
from instances.outbound import enqueue
from instances.outbound.dispatcher import LOOKAHEAD
from instances.outbound.pump import HANDOVER, dispatch_due, next_wake, run_pump
from instances.outbound.wake import LEASE_KEY, pump_is_running
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def ready_instance(**queue):
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    QueueSettings.objects.create(
        instance=instance, **{"min_delay_seconds": 2, "max_delay_seconds": 2, **queue}
    )
    enqueue(instance, "+4915123456789", "text", {"text": "Hi"})
    return instance


def drop(turns) -> None:
    """A pump's hand-out that sends nothing."""


class FakeTime:
    """A clock that moves only when the pump sleeps, and a pump run on it."""

    def __init__(self):
        self.now = 0.0
        self.naps: list[float] = []
        self.successor_queued_at: list[float] = []

    def run(self, run_seconds: float = 3, hand_out=drop) -> bool:
        return run_pump(
            run_seconds=run_seconds,
            clock=self.clock,
            sleep=self.sleep,
            hand_out=hand_out,
            successor=lambda: self.successor_queued_at.append(self.now),
        )

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds


def test_each_ready_instance_gets_one_turn_and_the_rest_wait():
    ready = ready_instance()
    paused = ready_instance(paused=True)
    unlinked = ready_instance()
    unlinked.status = InstanceStatus.STARTING
    unlinked.save()
    handed: list[tuple[int, object]] = []

    now = timezone.now() + timedelta(seconds=1)
    assert dispatch_due(now, random.Random(1), lambda pk, slot: handed.append((pk, slot))) == 1
    assert dispatch_due(now, random.Random(1), lambda pk, slot: handed.append((pk, slot))) == 0

    assert handed == [(ready.pk, now)]
    handed = [pk for pk, _ in handed]
    assert paused.pk not in handed and unlinked.pk not in handed


def test_the_pump_naps_until_the_next_turn_and_releases_its_lease():
    ready_instance()
    fake = FakeTime()
    handed: list[int] = []

    def hand_out(turns):
        handed.extend(pk for pk, _ in turns)

    assert fake.run(hand_out=hand_out)

    assert len(handed) == 1
    assert fake.naps and all(0 < nap <= 1.0 for nap in fake.naps)
    assert not pump_is_running()


def test_a_pump_that_handed_out_only_bursts_frees_its_worker_at_once():
    ready_instance(min_delay_seconds=0, max_delay_seconds=0)
    fake = FakeTime()
    handed: list[int] = []

    assert not fake.run(hand_out=lambda turns: handed.extend(pk for pk, _ in turns))

    # The burst hands its turn on by itself: nothing is left to pace, so the pump ends at once.
    assert len(handed) == 1
    assert fake.naps == []
    assert fake.successor_queued_at == []


def test_only_one_pump_runs_at_a_time():
    cache.add(LEASE_KEY, "another-host", 20)
    handed: list[int] = []

    fake = FakeTime()

    assert not fake.run(run_seconds=1, hand_out=handed.extend)
    # A pump woken while another runs does not wait for it; only a successor would.
    assert fake.naps == []
    assert handed == []
    assert fake.successor_queued_at == []
    assert cache.get(LEASE_KEY) == "another-host"


def test_the_pump_wakes_when_the_earliest_turn_comes_within_reach():
    instance = ready_instance()
    now = timezone.now()
    soon = now + LOOKAHEAD + timedelta(milliseconds=300)
    QueueSettings.objects.filter(instance=instance).update(next_send_at=soon)

    assert next_wake(now) == soon - LOOKAHEAD
    QueueSettings.objects.filter(instance=instance).update(next_send_at=now + timedelta(hours=1))
    assert next_wake(now) == now + timedelta(seconds=1)


def test_a_turn_is_handed_out_a_little_early_for_its_exact_time():
    instance = ready_instance()
    now = timezone.now() + timedelta(seconds=1)
    slot = now + LOOKAHEAD - timedelta(milliseconds=100)
    QueueSettings.objects.filter(instance=instance).update(next_send_at=slot)
    handed: list[tuple[int, object]] = []

    dispatch_due(now, random.Random(1), lambda pk, at: handed.append((pk, at)))

    assert handed == [(instance.pk, slot)]


def test_an_idle_pump_ends_at_once_without_a_successor():
    fake = FakeTime()

    assert not fake.run()

    assert fake.naps == []
    assert fake.successor_queued_at == []
    assert not pump_is_running()


def test_a_message_due_within_the_minute_keeps_the_pump_going():
    instance = ready_instance()
    instance.outbound.update(due_at=timezone.now() + timedelta(seconds=30))
    fake = FakeTime()

    assert fake.run()
    assert sum(fake.naps) == pytest.approx(3)


def test_queueing_a_message_wakes_the_pump_once(django_capture_on_commit_callbacks, monkeypatch):
    from django_q.models import OrmQ

    from instances.outbound import wake

    monkeypatch.setattr(wake, "_last_wake", float("-inf"))
    with django_capture_on_commit_callbacks(execute=True):
        ready_instance()
        ready_instance()

    assert [task.task["func"] for task in OrmQ.objects.all()] == ["instances.tasks.pump_outbound"]


def test_a_number_that_acts_human_gets_its_turn_early_enough_to_type_first():
    typing = ready_instance(min_delay_seconds=4, max_delay_seconds=5, act_human=True)
    plain = ready_instance(min_delay_seconds=4, max_delay_seconds=5)
    now = timezone.now() + timedelta(seconds=1)
    slot = now + timedelta(seconds=1.2)
    QueueSettings.objects.filter(instance__in=[typing, plain]).update(next_send_at=slot)
    handed: list[tuple[int, object]] = []

    dispatch_due(now, random.Random(1), lambda pk, at: handed.append((pk, at)))

    assert handed == [(typing.pk, slot)]
    assert next_wake(now) == slot - LOOKAHEAD


def test_one_pass_hands_every_turn_in_reach_out_as_one_task():
    first, second = ready_instance(), ready_instance()
    fake = FakeTime()
    passes: list[list[int]] = []

    fake.run(run_seconds=1, hand_out=lambda turns: passes.append(sorted(pk for pk, _ in turns)))

    assert passes == [sorted([first.pk, second.pk])]


def test_the_successor_is_queued_a_moment_before_the_run_ends():
    ready_instance()
    fake = FakeTime()

    assert fake.run(run_seconds=3)

    (queued_at,) = fake.successor_queued_at
    assert 3 - HANDOVER <= queued_at < 3


def test_a_successor_waits_for_its_predecessor_to_let_go_of_the_lease():
    ready_instance()
    cache.add(LEASE_KEY, "predecessor", 20)
    fake = FakeTime()

    def predecessor_ends(seconds):
        fake.sleep(seconds)
        if fake.now >= 0.5:
            cache.delete(LEASE_KEY)

    assert run_pump(
        run_seconds=1,
        clock=fake.clock,
        sleep=predecessor_ends,
        hand_out=drop,
        successor=lambda: None,
        patient=True,
    )
    assert not pump_is_running()
