"""Sending queued messages: take an instance's turn, claim its next due row, send, record.

Claims are conditional updates (and `SELECT ... FOR UPDATE SKIP LOCKED` where the database has
it), so any number of workers on any number of hosts send each row at most once. A row is
`sending` only between its claim and the recorded outcome; a worker that dies in between leaves
it to `recover_stale_sends`, which never puts it back in the queue blindly.
"""

from __future__ import annotations

import logging
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django_q.tasks import async_task

from instances.engine_cache import engine_for
from instances.engines.base import (
    Capability,
    Engine,
    EngineError,
    MessageKind,
    RetryableError,
    SendRequest,
    UnconfirmedError,
)
from instances.models import (
    Instance,
    InstanceStatus,
    OutboundMessage,
    OutboundStatus,
    QueueSettings,
    SendAttempt,
)
from instances.outbound import act_human, ledger, pacing
from instances.outbound.status import is_forward, wire_id
from instances.outbound.wake import wake_pump
from instances.signals import message_status_changed

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FAILURES_BEFORE_PAUSE = 5
# A restricted number is left alone for a while even after a person resumes it too early.
RESTRICTION_BACKOFF = timedelta(minutes=30)
REACH_OUT_REASON = (
    "WhatsApp restricts this number from messaging new contacts (error 463). Sending is paused "
    "to protect the number; resume when the restriction has been lifted."
)
FAILURES_REASON = (
    f"The last {FAILURES_BEFORE_PAUSE} messages failed in a row, which can mean the number is "
    "being blocked. Sending is paused; check the failures, then resume."
)
# Long enough to cover the broker's pick-up delay; short, because a waiting task holds a worker
# (bench/outbound_pacing.py: 1 s starved 4 workers serving 50 instances, 0.2 s let pick-up delays
# through; docs/benchmarks.md).
LOOKAHEAD = timedelta(seconds=0.5)
# Typing stops this long after the previous send at the earliest (act_human.py).
TYPING_MARGIN = 0.5
# Like the pump, a burst stays short so that stopping a worker never waits long for it.
BURST_SECONDS = 2.0
# How long a burst chain holds its instance's turn without renewing it: a dead worker's chain
# is replaced by the pump after this. Its next task may wait in the broker behind every other
# instance's, so the hold is long; the watchdog's minute bounds it anyway.
BURST_HOLD = timedelta(minutes=1)
# Threads per worker process for the turns of one pump pass (`send_turns`), each with a
# database connection while it sends: 8 cover a pass of 50 numbers sending every 2-4 s.
SEND_THREADS = 8
# How long a task waits, after the first of its bursts hands on, for the others to join it.
RELAY_GRACE = 1.0
_pool: ThreadPoolExecutor | None = None
# Rows a burst claims at once: fewer statements per message, and few enough that a batch's
# untried rows are back in the queue quickly after a crash, and that bursts which started
# together end within RELAY_GRACE of each other (a burst ends only between batches; with 50,
# slow batches split the relay into a task per number: docs/benchmarks.md, fifth session).
BATCH = 20
# Longer than an engine's read timeout: a send still `sending` after this is not in flight.
STALE_AFTER = timedelta(minutes=2)
# Said on the attempt of a send the gateway answered without an id (chat-api).
NO_MESSAGE_ID_DETAIL = (
    "Sent without a message id: delivery ticks show once the gateway's history names it."
)
S = OutboundStatus
Outcome = SendAttempt.Outcome
# Notes on a message's history that are not tries at sending it: caps do not count them.
NOT_SENDS = (Outcome.DECIDED, Outcome.CONFIRMED)
# An unconfirmed send is looked up by its id for a few minutes (the watchdog's runs), giving the
# engine a moment to store it first; what is still not found then waits for a person.
LOOK_UP_UNCONFIRMED = (timedelta(seconds=20), timedelta(minutes=5))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def queue_settings(instance: Instance) -> QueueSettings:
    return QueueSettings.objects.get_or_create(instance=instance)[0]


def may_send(instance: Instance, settings: QueueSettings | None = None) -> bool:
    settings = settings or queue_settings(instance)
    return instance.status == InstanceStatus.WORKING and not settings.paused


def due_messages(instance: Instance, now: datetime):
    return OutboundMessage.objects.filter(instance=instance, status=S.QUEUED, due_at__lte=now)


def take_turn(
    instance: Instance,
    now: datetime,
    rng: random.Random,
    *,
    settings: QueueSettings | None = None,
) -> datetime | None:
    """Reserve the instance's next send slot and return it; None when there is none to take
    (paused, not WORKING, nothing due, outside its hours, capped, not yet, or taken).

    A slot is handed out up to LOOKAHEAD before it starts, so the worker that takes it is already
    waiting when it comes: the task broker's pick-up delay does not blur the pacing.
    """
    settings = settings or queue_settings(instance)
    if not may_send(instance, settings):
        return None
    previous = settings.next_send_at
    slot = max(now, previous) if previous else now
    if slot - now > lookahead(settings) or not due_messages(instance, slot).exists():
        return None
    unchanged = Q(next_send_at__isnull=True) if previous is None else Q(next_send_at=previous)
    held_until = _held_until(instance, settings, slot)
    if held_until is not None:
        QueueSettings.objects.filter(unchanged, pk=settings.pk).update(next_send_at=held_until)
        return None
    if is_burst(settings):
        # Pacing off: the task sends in bursts and hands the turn on itself (`send_next`); the
        # pump leaves the instance alone until the chain ends or a dead worker's burst expires.
        turn = {"next_send_at": slot, "burst_until": slot + BURST_HOLD}
    else:
        delay = pacing.draw_delay(settings.min_delay_seconds, settings.max_delay_seconds, rng)
        turn = {"next_send_at": slot + delay}
    won = QueueSettings.objects.filter(unchanged, pk=settings.pk).update(**turn)
    return slot if won else None


def is_burst(settings: QueueSettings) -> bool:
    return settings.max_delay_seconds <= 0


def typing_budget(settings: QueueSettings) -> float:
    """The longest "typing..." before a send of this instance: it has to fit inside the
    shortest delay the instance may draw, so acting human never slows the instance down."""
    if not settings.act_human or is_burst(settings):
        return 0.0
    return max(0.0, min(act_human.MAX_TYPING_SECONDS, settings.min_delay_seconds - TYPING_MARGIN))


def lookahead(settings: QueueSettings) -> timedelta:
    """How early a turn is handed out: early enough to type before the slot, where it acts
    human."""
    return LOOKAHEAD + timedelta(seconds=typing_budget(settings))


def _held_until(instance: Instance, settings: QueueSettings, now: datetime) -> datetime | None:
    """When sending hours, the daily cap or the per-minute cap next allow a send; None: now."""
    opens = _window_opens(settings, now)
    if opens is not None:
        return opens
    midnight = _midnight(settings, now)
    sent_today = (
        SendAttempt.objects.filter(instance=instance, started_at__gte=midnight)
        .exclude(outcome__in=NOT_SENDS)
        .count()
    )
    if sent_today >= _daily_cap(settings, now):
        return midnight + timedelta(days=1)
    recent = list(
        SendAttempt.objects.filter(instance=instance, started_at__gt=now - pacing.MINUTE)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )
    return pacing.cap_frees_at(recent, settings.per_minute_cap, now)


def _window_opens(settings: QueueSettings, now: datetime) -> datetime | None:
    return pacing.next_window_start(
        now.astimezone(pacing.time_zone(settings.time_zone)),
        settings.send_from,
        settings.send_until,
        settings.send_days,
    )


def _midnight(settings: QueueSettings, now: datetime) -> datetime:
    zone = pacing.time_zone(settings.time_zone)
    return datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)


def _daily_cap(settings: QueueSettings, now: datetime) -> int:
    return pacing.todays_cap(settings, now.astimezone(pacing.time_zone(settings.time_zone)).date())


def claim_batch(
    instance: Instance,
    now: datetime,
    worker: str,
    limit: int = 1,
    *,
    planned_for: datetime | None = None,
) -> list[OutboundMessage]:
    """Up to `limit` due rows, highest priority and oldest first, now `sending` and ours alone,
    each with its attempt recorded; in the order they must be sent."""
    claimed = ledger.claim(instance, now, worker, limit, planned_for)
    for message in claimed:
        message.instance = instance
    return claimed


def claim_next(instance: Instance, now: datetime, worker: str) -> OutboundMessage | None:
    claimed = claim_batch(instance, now, worker)
    return claimed[0] if claimed else None


def release_claims(messages: list[OutboundMessage]) -> None:
    """Claimed rows that were not sent after all (the batch stopped early) go back to the queue
    as they were, all in one transaction."""
    with transaction.atomic():
        still_ours = list(
            OutboundMessage.objects.select_for_update()
            .filter(pk__in=[message.pk for message in messages], status=S.SENDING)
            .values_list("pk", flat=True)
        )
        OutboundMessage.objects.filter(pk__in=still_ours).update(
            status=S.QUEUED, attempts=F("attempts") - 1, claimed_by="", claimed_at=None
        )
        SendAttempt.objects.filter(message_id__in=still_ours, outcome=Outcome.SENDING).delete()


@dataclass(frozen=True)
class SendOutcome:
    status: str
    detail: str = ""


def send_claimed(
    message: OutboundMessage,
    *,
    rng: random.Random,
    now=timezone.now,
    engine: Engine | None = None,
) -> SendOutcome:
    """Send one claimed row through its instance's engine (`engine`: already looked up for its
    batch) and record what happened."""
    engine = engine or engine_for(message.instance)
    request = SendRequest(
        chat_id=message.chat_id,
        kind=MessageKind(message.kind),
        payload=message.payload,
        # Engines that ignore client ids drop it (docs/gateways.md, "WAHA versions and tiers").
        client_id=wire_id(message),
    )
    try:
        result = engine.send(request)
    except UnconfirmedError as exc:
        return _finish(message, S.UNCONFIRMED, Outcome.UNCONFIRMED, exc.message, now())
    except RetryableError as exc:
        if is_reach_out_restriction(exc):
            pause_sending(message.instance, REACH_OUT_REASON)
            return _retry(message, exc.message, now() + RESTRICTION_BACKOFF, now())
        if message.attempts >= MAX_ATTEMPTS:
            detail = f"Gave up after {message.attempts} attempts: {exc.message}"
            return _finish(message, S.FAILED, Outcome.FAILED, detail, now())
        retry_at = now() + pacing.retry_delay(message.attempts, rng, exc.retry_after)
        return _retry(message, exc.message, retry_at, now())
    except EngineError as exc:
        if is_reach_out_restriction(exc):
            pause_sending(message.instance, REACH_OUT_REASON)
            return _retry(message, exc.message, now() + RESTRICTION_BACKOFF, now())
        outcome = _finish(message, S.FAILED, Outcome.FAILED, exc.message, now())
        if failed_in_a_row(message.instance) >= FAILURES_BEFORE_PAUSE:
            pause_sending(message.instance, FAILURES_REASON)
        return outcome
    except Exception:
        # Not knowing what happened is exactly "unconfirmed": a person decides.
        logger.exception("Sending outbound message %s failed unexpectedly", message.pk)
        detail = "Switchboard failed while sending; the message may have gone out."
        return _finish(message, S.UNCONFIRMED, Outcome.UNCONFIRMED, detail, now())
    detail = ""
    if not result.provider_id and message.instance.supports(Capability.NO_MESSAGE_IDS):
        detail = NO_MESSAGE_ID_DETAIL
    return _finish(message, S.SENT, Outcome.SENT, detail, now(), provider_id=result.provider_id)


def is_reach_out_restriction(error: EngineError) -> bool:
    """WhatsApp's error 463: the number may answer chats but not start new ones (a ban signal).
    Gateways pass it on as the HTTP status or inside their message (docs/gateways.md)."""
    return error.status_code == 463 or re.search(r"\b463\b", error.message) is not None


def failed_in_a_row(instance: Instance) -> int:
    """How many of the instance's latest finished attempts failed, counting back to a success."""
    latest = (
        SendAttempt.objects.filter(instance=instance)
        .exclude(outcome__in=(Outcome.SENDING, Outcome.RETRY))
        .order_by("-started_at", "-id")
        .values_list("outcome", flat=True)[:FAILURES_BEFORE_PAUSE]
    )
    count = 0
    for outcome in latest:
        if outcome != Outcome.FAILED:
            break
        count += 1
    return count


def pause_sending(instance: Instance, reason: str) -> None:
    """Stop an instance's sends until a person resumes them; queued messages keep waiting."""
    QueueSettings.objects.update_or_create(
        instance=instance, defaults={"paused": True, "pause_reason": reason[:300]}
    )
    logger.warning("Paused sending on instance %s: %s", instance.pk, reason)


def _finish(
    message: OutboundMessage,
    status: str,
    outcome: str,
    detail: str,
    at: datetime,
    *,
    provider_id: str = "",
) -> SendOutcome:
    detail = detail[:300]
    fields = {"last_error": detail if status != S.SENT else ""}
    if status == S.SENT:
        fields["sent_at"] = at
    # Usually the row is still ours (`sending`): one statement records the outcome. What
    # listens to the change (campaign counters, outgoing webhooks) follows it at once, not in
    # its transaction, which would cost two more round trips a message; a crash in between
    # leaves a counter that the campaigns' recount corrects (campaigns/counters.py).
    moved = ledger.record_outcome(
        message.pk,
        outcome,
        detail,
        at,
        {"status": status, "status_changed_at": at, "provider_id": provider_id[:200], **fields},
    )
    previous = S.SENDING
    if not moved:
        with transaction.atomic():
            # An ack arrived before the send's answer and moved the row on: never step back.
            current = OutboundMessage.objects.select_for_update().get(pk=message.pk)
            if provider_id and not current.provider_id:
                fields["provider_id"] = provider_id[:200]
            if is_forward(current.status, status):
                fields.update(status=status, status_changed_at=at)
                previous = current.status
            OutboundMessage.objects.filter(pk=message.pk).update(**fields)
            SendAttempt.objects.filter(message=message, outcome=Outcome.SENDING).update(
                outcome=outcome, finished_at=at, detail=detail
            )
    if moved or "status" in fields:
        message_status_changed.send(
            OutboundMessage, message=message, status=status, previous=previous, error=detail
        )
    return SendOutcome(status, detail)


def _retry(message: OutboundMessage, detail: str, retry_at: datetime, at: datetime) -> SendOutcome:
    detail = detail[:300]
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, status=S.SENDING).update(
            status=S.QUEUED, due_at=retry_at, last_error=detail, status_changed_at=at
        )
        SendAttempt.objects.filter(message=message, outcome=Outcome.SENDING).update(
            outcome=Outcome.RETRY, finished_at=at, detail=detail
        )
    return SendOutcome(S.QUEUED, detail)


def send_next(
    instance_id: int,
    slot: datetime | None = None,
    *,
    rng: random.Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
    burst_seconds: float = BURST_SECONDS,
    hand_on: Callable[[int], None] | None = None,
) -> SendOutcome | None:
    """The send of one reserved slot: wait for the slot, claim the due row, send it. None when
    nothing was due by then.

    With pacing off (no delay between messages) the task goes on for up to `burst_seconds`,
    claiming BATCH rows at a time, instead of queueing a task per message; caps, hours and
    pauses are checked before every batch. With more to send it hands the turn on through
    `hand_on` (a task of its own by default).
    """
    instance = _with_settings(instance_id)
    if instance is None:
        return None
    settings = instance.queue
    if slot is not None:
        _wait_until(slot - timedelta(seconds=typing_budget(settings)), sleep, lookahead(settings))
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    worker = worker_name()
    outcome = None
    ends = time.monotonic() + burst_seconds
    # Paused or unlinked since the pump handed out the slot: the rows wait.
    while may_send(instance, settings):
        limit = batch_allowance(instance, settings, timezone.now()) if is_burst(settings) else 1
        planned_for = None if is_burst(settings) else slot
        batch = (
            claim_batch(instance, timezone.now(), worker, limit, planned_for=planned_for)
            if limit
            else []
        )
        if not batch:
            break
        if slot is not None and typing_budget(settings):
            _act_human(batch[0], typing_budget(settings), slot, rng, sleep)
        outcome = send_batch(batch, rng)
        if outcome.status == S.QUEUED or time.monotonic() >= ends or not is_burst(settings):
            break
        instance = _with_settings(instance_id)
        if instance is None:
            return outcome
        settings = instance.queue
    if is_burst(settings):
        more = outcome is not None and outcome.status == S.SENT
        _pass_burst_on(instance_id, more=more, hand_on=hand_on or enqueue_burst)
    return outcome


def _wait_until(moment: datetime, sleep: Callable[[float], None], at_most: timedelta) -> None:
    wait = (moment - timezone.now()).total_seconds()
    if wait > 0:
        sleep(min(wait, at_most.total_seconds()))


def _act_human(
    message: OutboundMessage,
    budget: float,
    slot: datetime,
    rng: random.Random,
    sleep: Callable[[float], None],
) -> None:
    """Seen, then typing for a time drawn from the text, ending at the slot: inside the delay."""
    typing = min(act_human.typing_seconds(message.kind, message.payload, rng), budget)
    _wait_until(slot - timedelta(seconds=typing), sleep, timedelta(seconds=budget))
    # Late (a busy worker): type for what is left, so the send still keeps its slot.
    typing = min(typing, max(0.0, (slot - timezone.now()).total_seconds()))
    act_human.perform_act_human(engine_for(message.instance), message.chat_id, typing, sleep)


def _pass_burst_on(instance_id: int, *, more: bool, hand_on: Callable[[int], None]) -> None:
    """End of a burst: the next one follows at once while rows keep coming; otherwise the turn
    goes back to the pump (which paces caps, hours and retries)."""
    settings = QueueSettings.objects.filter(instance_id=instance_id)
    if more and due_messages(Instance(pk=instance_id), timezone.now()).exists():
        settings.update(burst_until=timezone.now() + BURST_HOLD)
        transaction.on_commit(lambda: hand_on(instance_id))
    else:
        settings.update(burst_until=None)
        transaction.on_commit(wake_pump)


def enqueue_burst(instance_id: int) -> None:
    async_task("instances.tasks.send_next", instance_id, group=f"send-{instance_id}")


def enqueue_bursts(instance_ids: list[int]) -> None:
    """The next bursts of instances whose bursts ran side by side, to go on side by side in a
    worker's threads (at most SEND_THREADS to a task): while one waits for the engine or a
    commit, the others go on."""
    if len(instance_ids) == 1:
        enqueue_burst(instance_ids[0])
        return
    for start in range(0, len(instance_ids), SEND_THREADS):
        group = instance_ids[start : start + SEND_THREADS]
        async_task("instances.tasks.send_bursts", group, group="outbound-send")


def _with_settings(instance_id: int) -> Instance | None:
    """The instance with its queue settings in one query (made first if missing)."""
    instance = Instance.objects.select_related("queue").filter(pk=instance_id).first()
    if instance is not None and not hasattr(instance, "queue"):
        instance.queue = queue_settings(instance)
    return instance


def send_turns(
    turns: list[tuple[int, datetime | None]], *, burst_seconds: float = BURST_SECONDS
) -> None:
    """Several instances' turns at once (one pass of the pump), each in a thread of its own:
    waiting for a slot costs a thread, not a worker, and a slow engine holds up only its own
    send. The task ends when every turn is done."""
    _send_side_by_side(turns, burst_seconds)


def send_bursts(instance_ids: list[int], *, burst_seconds: float = BURST_SECONDS) -> None:
    """The next bursts of instances whose bursts were handed on together, side by side."""
    _send_side_by_side([(pk, None) for pk in instance_ids], burst_seconds)


def _send_side_by_side(turns: list[tuple[int, datetime | None]], burst_seconds: float) -> None:
    """Each turn in a thread; the bursts that go on are handed on together. Bursts that started
    together end within about a batch of each other, so once the first hands on, the others
    have RELAY_GRACE to join it; one that ends later still (a slow engine) goes on by itself."""
    if len(turns) == 1:
        send_next(*turns[0], burst_seconds=burst_seconds)
        return
    relay = _BurstRelay(len(turns))
    sends = [
        _send_pool().submit(_send_in_thread, pk, slot, relay.add, burst_seconds)
        for pk, slot in turns
    ]
    for send in sends:
        send.add_done_callback(relay.turn_done)
    relay.gathering.wait()
    wait(sends, timeout=RELAY_GRACE)
    relay.close()
    wait(sends)


class _BurstRelay:
    """Collects the instances whose bursts go on until it is closed, then hands them on
    together; after that, each one as it comes. `gathering` is set when the first one comes
    or every turn is done."""

    def __init__(self, turns: int) -> None:
        self._lock = threading.Lock()
        self._waiting: list[int] | None = []
        self._running = turns
        self.gathering = threading.Event()

    def add(self, instance_id: int) -> None:
        with self._lock:
            if self._waiting is not None:
                self._waiting.append(instance_id)
                self.gathering.set()
                return
        enqueue_burst(instance_id)

    def turn_done(self, _send: Future) -> None:
        with self._lock:
            self._running -= 1
            if not self._running:
                self.gathering.set()

    def close(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, None
        if waiting:
            enqueue_bursts(waiting)


def _send_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="outbound-send")
    return _pool


def _send_in_thread(
    instance_id: int,
    slot: datetime | None,
    hand_on: Callable[[int], None],
    burst_seconds: float,
) -> None:
    try:
        send_next(instance_id, slot, hand_on=hand_on, burst_seconds=burst_seconds)
    except Exception:
        logger.exception("Sending a turn of instance %s failed", instance_id)
    finally:
        # A thread's connection is its own; closing it keeps the database's connection count
        # at the threads actually sending, not every thread a worker ever started.
        connections.close_all()


def batch_allowance(instance: Instance, settings: QueueSettings, now: datetime) -> int:
    """How many rows a burst may claim now: BATCH, or less where a cap or the hours say so."""
    if _window_opens(settings, now) is not None:
        return 0
    minute_ago, midnight = now - pacing.MINUTE, _midnight(settings, now)
    started = SendAttempt.objects.filter(
        instance=instance, started_at__gte=min(minute_ago, midnight)
    ).exclude(outcome__in=NOT_SENDS)
    counts = started.aggregate(
        this_minute=Count("pk", filter=Q(started_at__gt=minute_ago)),
        today=Count("pk", filter=Q(started_at__gte=midnight)),
    )
    cap = _daily_cap(settings, now)
    return max(
        0, min(BATCH, settings.per_minute_cap - counts["this_minute"], cap - counts["today"])
    )


def send_batch(batch: list[OutboundMessage], rng: random.Random) -> SendOutcome:
    """Send claimed rows in their order, recording each outcome before the next send. A retry or
    a pause stops the batch; the rows not yet tried go back to the queue untouched."""
    # One instance's rows: its engine is looked up once, not per row (its configuration
    # decrypts two secrets and reverses the webhook URL).
    engine = engine_for(batch[0].instance)
    for n, message in enumerate(batch):
        outcome = send_claimed(message, rng=rng, engine=engine)
        rest = batch[n + 1 :]
        stopped = outcome.status == S.QUEUED or (
            outcome.status == S.FAILED and is_paused(message.instance)
        )
        if rest and stopped:
            release_claims(rest)
            return outcome
    return outcome


def is_paused(instance: Instance) -> bool:
    return QueueSettings.objects.filter(instance=instance, paused=True).exists()


def recover_stale_sends(now: datetime | None = None) -> int:
    """Rows left `sending` by a worker that died. The first unfinished row of each claimed batch
    may have been in flight: reconciled by client id where the engine can look messages up, else
    marked unconfirmed for a person to decide. The rows after it were never tried (a batch is
    sent in order, each outcome recorded before the next send) and go back to the queue."""
    now = now or timezone.now()
    stale = OutboundMessage.objects.filter(status=S.SENDING, claimed_at__lt=now - STALE_AFTER)
    recovered = 0
    seen_batches: set[tuple[str, datetime]] = set()
    for message in stale.select_related("instance").order_by("claimed_at", "claim_order")[:500]:
        batch = (message.claimed_by, message.claimed_at)
        if batch in seen_batches:
            _requeue_untried(message, now)
        else:
            seen_batches.add(batch)
            _reconcile(message, now)
        recovered += 1
    return recovered


def reconcile_unconfirmed(now: datetime | None = None) -> int:
    """Unconfirmed sends of the last few minutes, looked up by the id Switchboard sent with them:
    the ones the engine has are sent after all. The number settled."""
    now = now or timezone.now()
    newest, oldest = LOOK_UP_UNCONFIRMED
    recent = OutboundMessage.objects.filter(
        status=S.UNCONFIRMED, status_changed_at__range=(now - oldest, now - newest)
    )
    settled = 0
    for message in recent.select_related("instance")[:500]:
        if not message.instance.supports(Capability.LOOKUP_MESSAGE):
            continue
        try:
            found = engine_for(message.instance).lookup_message(message.chat_id, wire_id(message))
        except EngineError as exc:
            logger.info("Could not look up outbound message %s: %s", message.pk, exc.message)
            continue
        if found is not None and _confirm(message, found.provider_id, now):
            settled += 1
    return settled


def _confirm(message: OutboundMessage, provider_id: str, now: datetime) -> bool:
    with transaction.atomic():
        confirmed = OutboundMessage.objects.filter(pk=message.pk, status=S.UNCONFIRMED).update(
            status=S.SENT,
            provider_id=provider_id[:200] or message.provider_id,
            sent_at=now,
            last_error="",
            status_changed_at=now,
        )
        if confirmed:
            SendAttempt.objects.create(
                message=message,
                instance=message.instance,
                worker=worker_name(),
                started_at=now,
                finished_at=now,
                outcome=Outcome.CONFIRMED,
                detail="The engine has the message: it was sent before the answer was lost.",
            )
    return bool(confirmed)


def _reconcile(message: OutboundMessage, now: datetime) -> None:
    found = None
    if message.instance.supports(Capability.LOOKUP_MESSAGE):
        try:
            found = engine_for(message.instance).lookup_message(message.chat_id, wire_id(message))
        except EngineError as exc:
            logger.info("Could not reconcile outbound message %s: %s", message.pk, exc.message)
    if found is not None:
        detail = "The worker stopped mid-send; the engine has the message."
        _finish(message, S.SENT, Outcome.RECOVERED, detail, now, provider_id=found.provider_id)
    else:
        detail = "The worker stopped mid-send; the message may or may not have gone out."
        _finish(message, S.UNCONFIRMED, Outcome.RECOVERED, detail, now)


def _requeue_untried(message: OutboundMessage, now: datetime) -> None:
    detail = "The worker stopped before its turn in the batch; queued again."
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, status=S.SENDING).update(
            status=S.QUEUED, claimed_by="", claimed_at=None, status_changed_at=now
        )
        SendAttempt.objects.filter(message=message, outcome=Outcome.SENDING).update(
            outcome=Outcome.RECOVERED, finished_at=now, detail=detail
        )


def resume_sending(instance: Instance) -> None:
    QueueSettings.objects.update_or_create(
        instance=instance, defaults={"paused": False, "pause_reason": ""}
    )
