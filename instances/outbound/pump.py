"""The pump: decides when each instance sends next and hands the sends to django-q2 workers.

django-q2's scheduler ticks about every 30 s and `async_task` has no ETA, so a schedule alone
cannot pace sends to the second. The pump is one short-lived task that loops for
`RUN_SECONDS` (a few seconds): each pass takes every instance's turn that starts within its
lookahead (`dispatcher.take_turn`) and hands the pass's turns to one `send_turns` task with
their exact times (it sends each in a thread, at its time), then sleeps until the next turn
comes within reach (between `MIN_NAP` and `MAX_NAP`). While there is pacing to do, each run
queues its successor `HANDOVER` before it ends. Instances with pacing off need the pump only to
start: their send tasks hand the turn on to each other (`dispatcher.send_next`). An idle pump
ends without a successor, so it holds no worker while nothing is queued; work arriving wakes it
(`wake.wake_pump`). A lease in the shared cache keeps it to one pump at a time across hosts; a
one-minute schedule (`ensure_pump`) restarts it if a worker died with it.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.models import Min, Q
from django.utils import timezone
from django_q.tasks import async_task

from instances.models import Instance, InstanceStatus, OutboundStatus, QueueSettings
from instances.outbound import act_human, dispatcher
from instances.outbound.wake import LEASE_KEY

# Short runs: a stopping worker waits for its running task, so a long pump would hold up every
# shutdown (and a deploy) for as long as it runs.
RUN_SECONDS = 3.0
# Longer than one loop, shorter than the watchdog's minute: a dead pump is replaced quickly.
LEASE_SECONDS = 20
# A successor is queued this long before its predecessor's run ends and waits for the lease
# (polling every LEASE_POLL), so the broker's pick-up delay never leaves a gap between runs.
HANDOVER = 1.0
LEASE_PATIENCE = 2 * HANDOVER
LEASE_POLL = 0.05
MAX_NAP = 1.0
# At least this long between passes, so that a pass gathers the turns of many instances into
# one task; a turn still goes out at least LOOKAHEAD - MIN_NAP before its slot.
MIN_NAP = 0.2
LONGEST_LOOKAHEAD = dispatcher.LOOKAHEAD + timedelta(seconds=act_human.MAX_TYPING_SECONDS)
# The watchdog's period: work further away than this is the watchdog's to start.
HORIZON = timedelta(minutes=1)


def ready_instances(now: datetime):
    """WORKING, unpaused instances with something due and a turn starting within their
    lookahead (longer where they act human: `dispatcher.lookahead`), with their settings."""
    # Only a rough cut for numbers that act human: `take_turn` applies each one's own lookahead.
    in_reach = Q(queue__act_human=False, queue__next_send_at__lte=now + dispatcher.LOOKAHEAD) | Q(
        queue__act_human=True, queue__next_send_at__lte=now + LONGEST_LOOKAHEAD
    )
    return _sendable(now, in_reach, due_by=now).select_related("queue").distinct()


def _sendable(now: datetime, in_reach: Q, *, due_by: datetime):
    """WORKING, unpaused instances with a row due by `due_by`, their turn `in_reach` and no
    burst chain holding it."""
    no_queue = Q(queue__isnull=True)
    return Instance.objects.filter(
        no_queue | Q(queue__next_send_at__isnull=True) | in_reach,
        no_queue | Q(queue__burst_until__isnull=True) | Q(queue__burst_until__lte=now),
        status=InstanceStatus.WORKING,
        outbound__status=OutboundStatus.QUEUED,
        outbound__due_at__lte=due_by,
    ).exclude(queue__paused=True)


def has_work_ahead(now: datetime) -> bool:
    """Whether a turn starts or a row falls due within the watchdog's period."""
    in_reach = Q(queue__next_send_at__lte=now + HORIZON)
    return _sendable(now, in_reach, due_by=now + HORIZON).exists()


def next_wake(now: datetime) -> datetime:
    """When the pump should look again: a turn enters LOOKAHEAD or a row falls due; at most
    MAX_NAP away."""
    latest = now + timedelta(seconds=MAX_NAP)
    waiting = QueueSettings.objects.filter(
        paused=False,
        next_send_at__gt=now + dispatcher.LOOKAHEAD,
        instance__status=InstanceStatus.WORKING,
        instance__outbound__status=OutboundStatus.QUEUED,
    )
    turns = [waiting.filter(act_human=False).aggregate(at=Min("next_send_at"))["at"]]
    if turns[0] is not None:
        turns[0] -= dispatcher.LOOKAHEAD
    # Instances that act human hand their turns out earlier, each by its own typing budget.
    turns += [
        settings.next_send_at - dispatcher.lookahead(settings)
        for settings in waiting.filter(act_human=True).distinct()
    ]
    due = (
        Instance.objects.filter(
            status=InstanceStatus.WORKING, outbound__status=OutboundStatus.QUEUED
        )
        .filter(outbound__due_at__gt=now)
        .aggregate(at=Min("outbound__due_at"))["at"]
    )
    return min(at for at in (*turns, due, latest) if at is not None)


Send = Callable[[int, datetime], None]
Turns = list[tuple[int, datetime]]


def dispatch_due(now: datetime, rng: random.Random, send: Send) -> int:
    """Take every turn starting soon and hand each to `send`; the number handed out."""
    handed = 0
    for instance in ready_instances(now):
        settings = getattr(instance, "queue", None)
        slot = dispatcher.take_turn(instance, now, rng, settings=settings)
        if slot is not None:
            send(instance.pk, slot)
            handed += 1
    return handed


def enqueue_turns(turns: Turns) -> None:
    """The turns one pass took, in tasks that send each at its slot in threads
    (`dispatcher.send_turns`), so a burst of slots does not take a worker each: paced turns in
    one task (one per SEND_THREADS of them, so none waits for a thread), bursts (pacing off)
    spread over this host's workers, where they go on side by side (`dispatcher.send_bursts`)."""
    bursting = set(
        QueueSettings.objects.filter(
            instance_id__in=[pk for pk, _ in turns], max_delay_seconds__lte=0
        ).values_list("instance_id", flat=True)
    )
    paced = [turn for turn in turns if turn[0] not in bursting]
    bursts = [turn for turn in turns if turn[0] in bursting]
    tasks = [
        paced[n : n + dispatcher.SEND_THREADS]
        for n in range(0, len(paced), dispatcher.SEND_THREADS)
    ]
    if bursts:
        spread = max(
            math.ceil(len(bursts) / dispatcher.SEND_THREADS),
            min(len(bursts), django_settings.Q_CLUSTER["workers"]),
        )
        tasks += [bursts[n::spread] for n in range(spread)]
    for task in tasks:
        async_task(
            "instances.tasks.send_turns",
            [(pk, slot.isoformat()) for pk, slot in task],
            group="outbound-send",
        )


def enqueue_successor() -> None:
    async_task("instances.tasks.pump_outbound", patient=True, group="outbound-pump")


def run_pump(
    *,
    run_seconds: float = RUN_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    hand_out: Callable[[Turns], None] = enqueue_turns,
    successor: Callable[[], None] = enqueue_successor,
    patient: bool = False,
    rng: random.Random | None = None,
) -> bool:
    """Pump for `run_seconds` under the lease. Its successor is queued HANDOVER before the end,
    while this run handed out turns or work lies ahead, so that a worker has picked it up by the
    time the lease is free. True when a successor was queued; False when idle or another pump
    kept the lease. Only a successor (`patient`) waits for the lease; a pump started by a
    wake-up or the watchdog while another runs ends at once."""
    token = uuid.uuid4().hex
    if not _take_lease(token, clock, sleep, LEASE_PATIENCE if patient else 0.0):
        return False
    rng = rng or random.Random()  # noqa: S311 - pacing jitter, not a secret
    end = clock() + run_seconds
    handed = 0
    followed = False
    turns: Turns = []

    def take(instance_id: int, slot: datetime) -> None:
        turns.append((instance_id, slot))

    try:
        while clock() < end:
            now = timezone.now()
            handed += dispatch_due(now, rng, take)
            if turns:
                hand_out(list(turns))
                turns.clear()
            if not has_work_ahead(now):
                # Nothing left to pace (bursts hand their turns on themselves): free the worker.
                return followed
            if not followed and clock() >= end - HANDOVER:
                successor()
                followed = True
            nap = (next_wake(now) - timezone.now()).total_seconds()
            sleep(min(max(nap, MIN_NAP), max(end - clock(), 0.0)))
            cache.touch(LEASE_KEY, LEASE_SECONDS)
        if not followed and (handed > 0 or has_work_ahead(timezone.now())):
            successor()
            followed = True
        return followed
    finally:
        if cache.get(LEASE_KEY) == token:
            cache.delete(LEASE_KEY)


def _take_lease(
    token: str, clock: Callable[[], float], sleep: Callable[[float], None], patience: float
) -> bool:
    """The lease, waiting up to `patience` seconds for a predecessor finishing its run."""
    deadline = clock() + patience
    while not cache.add(LEASE_KEY, token, LEASE_SECONDS):
        if clock() >= deadline:
            return False
        sleep(LEASE_POLL)
    return True
