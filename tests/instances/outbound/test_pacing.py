"""Each instance's turns: a drawn delay, a per-minute cap, and nothing for a paused or
unlinked instance. Times are passed in, never waited for."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from instances.models import InstanceStatus, OutboundMessage, QueueSettings
from instances.outbound import enqueue
from instances.outbound.dispatcher import LOOKAHEAD, claim_next, take_turn
from instances.outbound.pacing import daily_cap, next_window_start
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def working():
    instance = InstanceFactory(status=InstanceStatus.WORKING)
    QueueSettings.objects.create(instance=instance, min_delay_seconds=2, max_delay_seconds=4)
    return instance


def queue_text(instance, count=1, **kwargs):
    return [
        enqueue(instance, "+4915123456789", "text", {"text": f"m{n}"}, **kwargs)
        for n in range(count)
    ]


def make_due_long_ago(instance):
    """For tests at fixed dates: the queued rows were due before any of them."""
    OutboundMessage.objects.filter(instance=instance).update(
        due_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def test_the_next_turn_comes_after_a_delay_drawn_between_min_and_max(working):
    queue_text(working, 3)
    now = timezone.now() + timedelta(seconds=1)

    assert take_turn(working, now, random.Random(1)) == now
    next_slot = QueueSettings.objects.get(instance=working).next_send_at
    assert timedelta(seconds=2) <= next_slot - now <= timedelta(seconds=4)
    early = LOOKAHEAD + timedelta(milliseconds=100)
    assert take_turn(working, next_slot - early, random.Random(1)) is None
    # Shortly before the slot the turn is handed out, for exactly the slot's time.
    almost = LOOKAHEAD - timedelta(milliseconds=100)
    assert take_turn(working, next_slot - almost, random.Random(1)) == next_slot


def test_a_turn_is_taken_once_however_many_pumps_ask(working):
    queue_text(working, 3)
    now = timezone.now() + timedelta(seconds=1)

    assert take_turn(working, now, random.Random(1)) == now
    assert take_turn(working, now, random.Random(2)) is None


def test_a_paused_or_unlinked_instance_takes_no_turn(working):
    queue_text(working)
    QueueSettings.objects.filter(instance=working).update(paused=True)
    assert not take_turn(working, timezone.now(), random.Random(1))

    QueueSettings.objects.filter(instance=working).update(paused=False)
    working.status = InstanceStatus.SCAN_QR_CODE
    assert not take_turn(working, timezone.now(), random.Random(1))


def test_nothing_due_means_no_turn(working):
    queue_text(working, send_at=timezone.now() + timedelta(hours=1))

    assert not take_turn(working, timezone.now(), random.Random(1))


def test_the_per_minute_cap_holds_the_next_turn_until_the_oldest_send_ages_out(working):
    QueueSettings.objects.filter(instance=working).update(
        per_minute_cap=2, min_delay_seconds=0, max_delay_seconds=0
    )
    queue_text(working, 3)
    start = timezone.now()
    for offset in (0, 10):
        at = start + timedelta(seconds=offset)
        assert take_turn(working, at, random.Random(1))
        assert claim_next(working, at, "w1") is not None

    assert not take_turn(working, start + timedelta(seconds=20), random.Random(1))
    held_until = QueueSettings.objects.get(instance=working).next_send_at
    assert held_until == start + timedelta(minutes=1)
    assert take_turn(working, held_until + timedelta(milliseconds=1), random.Random(1))


def test_rows_are_claimed_by_priority_then_age(working):
    (low_old,) = queue_text(working)
    (high,) = queue_text(working, priority=5)
    (low_new,) = queue_text(working)
    now = timezone.now() + timedelta(seconds=1)

    order = [claim_next(working, now, "w1") for _ in range(3)]

    assert order == [high, low_old, low_new]
    assert claim_next(working, now, "w1") is None


def test_a_claimed_row_is_sending_with_one_attempt_recorded(working):
    queue_text(working)

    message = claim_next(working, timezone.now() + timedelta(seconds=1), "host:42")

    assert message.status == "sending"
    assert message.attempts == 1
    assert message.claimed_by == "host:42"
    assert message.tries.get().outcome == "sending"


def test_the_daily_cap_holds_sending_until_local_midnight(working):
    QueueSettings.objects.filter(instance=working).update(
        per_day_cap=1, time_zone="Europe/Berlin", min_delay_seconds=0, max_delay_seconds=0
    )
    queue_text(working, 2)
    make_due_long_ago(working)
    now = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
    assert take_turn(working, now, random.Random(1))
    assert claim_next(working, now, "w1") is not None

    assert not take_turn(working, now + timedelta(minutes=5), random.Random(1))
    assert QueueSettings.objects.get(instance=working).next_send_at == datetime(
        2026, 11, 21, 23, 0, tzinfo=UTC
    )


def test_sending_hours_hold_messages_until_the_window_opens(working):
    QueueSettings.objects.filter(instance=working).update(
        time_zone="Europe/Berlin", send_from=time(9, 0), send_until=time(18, 0), send_days="12345"
    )
    queue_text(working)
    make_due_long_ago(working)
    saturday_noon = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)

    assert not take_turn(working, saturday_noon, random.Random(1))
    monday_nine = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert QueueSettings.objects.get(instance=working).next_send_at == monday_nine
    assert take_turn(working, monday_nine, random.Random(1))


@pytest.mark.parametrize(("days_in", "cap"), [(0, 10), (1, 30), (3, 70), (10, 100), (-2, 10)])
def test_warm_up_grows_the_daily_cap_from_a_low_start(days_in, cap):
    start = date(2026, 11, 1)

    assert daily_cap(100, 10, 20, start, start + timedelta(days=days_in)) == cap
    assert daily_cap(100, 0, 20, start, start) == 100


@pytest.mark.parametrize(
    ("local", "opens"),
    [
        (datetime(2026, 11, 23, 23, 30), None),  # Monday night, inside 22:00-06:00
        (datetime(2026, 11, 24, 5, 59), None),  # still Monday's window
        (datetime(2026, 11, 24, 12, 0), datetime(2026, 11, 24, 22, 0)),
        (datetime(2026, 11, 21, 23, 0), datetime(2026, 11, 23, 22, 0)),  # Saturday: wait
    ],
)
def test_a_window_past_midnight_belongs_to_the_day_it_opened(local, opens):
    zone = ZoneInfo("Europe/Berlin")
    local = local.replace(tzinfo=zone)

    found = next_window_start(local, time(22, 0), time(6, 0), "12345")

    assert found == (opens.replace(tzinfo=zone) if opens else None)
