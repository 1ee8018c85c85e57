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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from instances.engine_cache import engine_for
from instances.engines.base import (
    Capability,
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
from instances.outbound import pacing
from instances.outbound.status import is_forward, wire_id

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
# Like the pump, a burst stays short so that stopping a worker never waits long for it.
BURST_SECONDS = 2.0
# Longer than an engine's read timeout: a send still `sending` after this is not in flight.
STALE_AFTER = timedelta(minutes=2)
# Said on the attempt of a send the gateway answered without an id (chat-api).
NO_MESSAGE_ID_DETAIL = (
    "Sent without a message id: delivery ticks show once the gateway's history names it."
)
S = OutboundStatus
Outcome = SendAttempt.Outcome


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def queue_settings(instance: Instance) -> QueueSettings:
    return QueueSettings.objects.get_or_create(instance=instance)[0]


def may_send(instance: Instance, settings: QueueSettings | None = None) -> bool:
    settings = settings or queue_settings(instance)
    return instance.status == InstanceStatus.WORKING and not settings.paused


def due_messages(instance: Instance, now: datetime):
    return OutboundMessage.objects.filter(instance=instance, status=S.QUEUED, due_at__lte=now)


def take_turn(instance: Instance, now: datetime, rng: random.Random) -> datetime | None:
    """Reserve the instance's next send slot and return it; None when there is none to take
    (paused, not WORKING, nothing due, outside its hours, capped, not yet, or taken).

    A slot is handed out up to LOOKAHEAD before it starts, so the worker that takes it is already
    waiting when it comes: the task broker's pick-up delay does not blur the pacing.
    """
    settings = queue_settings(instance)
    if not may_send(instance, settings):
        return None
    previous = settings.next_send_at
    slot = max(now, previous) if previous else now
    if slot - now > LOOKAHEAD or not due_messages(instance, slot).exists():
        return None
    unchanged = Q(next_send_at__isnull=True) if previous is None else Q(next_send_at=previous)
    held_until = _held_until(instance, settings, slot)
    if held_until is not None:
        QueueSettings.objects.filter(unchanged, pk=settings.pk).update(next_send_at=held_until)
        return None
    delay = pacing.draw_delay(settings.min_delay_seconds, settings.max_delay_seconds, rng)
    won = QueueSettings.objects.filter(unchanged, pk=settings.pk).update(next_send_at=slot + delay)
    return slot if won else None


def _held_until(instance: Instance, settings: QueueSettings, now: datetime) -> datetime | None:
    """When sending hours, the daily cap or the per-minute cap next allow a send; None: now."""
    zone = _zone(settings.time_zone)
    local_now = now.astimezone(zone)
    opens = pacing.next_window_start(
        local_now, settings.send_from, settings.send_until, settings.send_days
    )
    if opens is not None:
        return opens
    midnight = datetime.combine(local_now.date(), datetime.min.time(), tzinfo=zone)
    sent_today = (
        SendAttempt.objects.filter(instance=instance, started_at__gte=midnight)
        .exclude(outcome=Outcome.DECIDED)
        .count()
    )
    cap = pacing.daily_cap(
        settings.per_day_cap,
        settings.warmup_start_cap,
        settings.warmup_daily_increase,
        settings.warmup_started_on,
        local_now.date(),
    )
    if sent_today >= cap:
        return midnight + timedelta(days=1)
    recent = list(
        SendAttempt.objects.filter(instance=instance, started_at__gt=now - pacing.MINUTE)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )
    return pacing.cap_frees_at(recent, settings.per_minute_cap, now)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def claim_next(instance: Instance, now: datetime, worker: str) -> OutboundMessage | None:
    """The highest-priority, oldest due row, now `sending` and ours alone."""
    with transaction.atomic():
        candidates = (
            due_messages(instance, now)
            .select_for_update(skip_locked=True)
            .order_by("-priority", "due_at", "id")
        )
        for message in candidates[:5]:
            claimed = OutboundMessage.objects.filter(pk=message.pk, status=S.QUEUED).update(
                status=S.SENDING,
                claimed_by=worker,
                claimed_at=now,
                attempts=F("attempts") + 1,
                status_changed_at=now,
            )
            if claimed:
                SendAttempt.objects.create(
                    message=message, instance=instance, worker=worker, started_at=now
                )
                message.status, message.claimed_by, message.claimed_at = S.SENDING, worker, now
                message.attempts += 1
                return message
    return None


@dataclass(frozen=True)
class SendOutcome:
    status: str
    detail: str = ""


def send_claimed(message: OutboundMessage, *, rng: random.Random, now=timezone.now) -> SendOutcome:
    """Send one claimed row through its instance's engine and record what happened."""
    engine = engine_for(message.instance)
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
    with transaction.atomic():
        current = OutboundMessage.objects.select_for_update().get(pk=message.pk)
        fields = {"last_error": detail if status != S.SENT else ""}
        if provider_id and not current.provider_id:
            fields["provider_id"] = provider_id[:200]
        if status == S.SENT:
            fields["sent_at"] = at
        # An ack may have arrived first and moved the row on: never step back.
        if current.status == S.SENDING or is_forward(current.status, status):
            fields.update(status=status, status_changed_at=at)
        OutboundMessage.objects.filter(pk=message.pk).update(**fields)
        SendAttempt.objects.filter(message=message, outcome=Outcome.SENDING).update(
            outcome=outcome, finished_at=at, detail=detail
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
) -> SendOutcome | None:
    """The send of one reserved slot: wait for the slot, claim the due row, send it. None when
    nothing was due by then.

    With pacing off (no delay between messages) the same task goes on sending for up to
    `burst_seconds` instead of queueing a task per message; each further slot still comes from
    `take_turn`, so caps, hours and pauses hold.
    """
    if slot is not None:
        wait = (slot - timezone.now()).total_seconds()
        if wait > 0:
            sleep(min(wait, LOOKAHEAD.total_seconds()))
    instance = Instance.objects.filter(pk=instance_id).first()
    # Paused or unlinked since the pump handed out the slot: the rows wait.
    if instance is None or not may_send(instance):
        return None
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    worker = worker_name()
    outcome = None
    ends = time.monotonic() + burst_seconds
    while True:
        message = claim_next(instance, timezone.now(), worker)
        if message is None:
            return outcome
        outcome = send_claimed(message, rng=rng)
        if time.monotonic() >= ends or queue_settings(instance).max_delay_seconds > 0:
            return outcome
        instance.refresh_from_db(fields=["status"])
        if take_turn(instance, timezone.now(), rng) is None:
            return outcome


def recover_stale_sends(now: datetime | None = None) -> int:
    """Rows left `sending` by a worker that died: reconcile by client id where the engine can
    look messages up, else mark them unconfirmed for a person to decide. Never re-queued."""
    now = now or timezone.now()
    stale = OutboundMessage.objects.filter(status=S.SENDING, claimed_at__lt=now - STALE_AFTER)
    recovered = 0
    for message in stale.select_related("instance")[:500]:
        found = None
        if message.instance.supports(Capability.LOOKUP_MESSAGE):
            try:
                found = engine_for(message.instance).lookup_message(
                    message.chat_id, wire_id(message)
                )
            except EngineError as exc:
                logger.info("Could not reconcile outbound message %s: %s", message.pk, exc.message)
        if found is not None:
            detail = "The worker stopped mid-send; the engine has the message."
            _finish(message, S.SENT, Outcome.RECOVERED, detail, now, provider_id=found.provider_id)
        else:
            detail = "The worker stopped mid-send; the message may or may not have gone out."
            _finish(message, S.UNCONFIRMED, Outcome.RECOVERED, detail, now)
        recovered += 1
    return recovered


def resume_sending(instance: Instance) -> None:
    QueueSettings.objects.update_or_create(
        instance=instance, defaults={"paused": False, "pause_reason": ""}
    )
