"""The feeder: queues a running campaign's recipients a little at a time, paced per number.

Each number of a campaign (`CampaignInstance`, a "lane") has the campaign's own clock: the
`send_at` of its next message, drawn `wait_between_messages_from/to` seconds after the last one,
plus `sleep_time_from/to` seconds after every `sleep_after_from/to` messages (seed 000's
pacing). A feed queues recipients round robin over the WORKING, unpaused numbers whose next
slot is within FEED_HORIZON (and inside the sending window), at most MAX_AHEAD per number, so
the queue only ever holds a few minutes of a campaign: pausing cancels little, and an opt-out
reaches the queue quickly. The dispatcher still applies each number's own pace on top.

A feed holds the campaign row's lock for its whole transaction, and each recipient is claimed
with a conditional update in the same savepoint as its `enqueue`, so running the feeder twice,
or on two workers at once, queues every recipient exactly once. See docs/architecture.md,
"Campaigns".
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from campaigns import templating
from campaigns.counters import Tally, recount
from campaigns.models import (
    CAMPAIGN_PRIORITY,
    Campaign,
    CampaignInstance,
    CampaignRecipient,
    CampaignStatus,
    Contact,
    RecipientStatus,
)
from campaigns.signals import campaign_finished
from instances.engines.base import MessageKind
from instances.models import PENDING_OUTBOUND, InstanceStatus, OutboundStatus
from instances.outbound import OutboundValidationError, enqueue
from instances.outbound.actions import ActionRefused, cancel_message
from instances.outbound.pacing import next_window_start, time_zone

logger = logging.getLogger(__name__)

# Longer than the feed schedule's minute plus django-q2's scheduler tick, so a number never
# runs dry between two feeds.
FEED_HORIZON = timedelta(minutes=3)
MAX_AHEAD = 50
BATCH = 200
# What a start or resume queues at once, in the request: a message for each number or so.
FIRST_BATCH = 10
PAUSED_REASON = "{number} stopped sending: {reason}"


class _AlreadyClaimed(Exception):
    pass


def feed_campaign(
    campaign_id: int,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
    batch: int = BATCH,
) -> int:
    """Queue the recipients that are due soon; how many were queued. Finishes the campaign
    when nothing is left to send."""
    now = now or timezone.now()
    rng = rng or random.Random()  # noqa: S311 - pacing jitter, not a secret
    # Counters move once, at the end, after every message row the feed locks
    # (campaigns/counters.py, on lock order).
    tally = Tally()
    with transaction.atomic():
        campaign = Campaign.objects.locked().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.RUNNING:
            return 0
        withdraw_opted_out(campaign, tally)
        lanes = list(campaign.lanes.select_related("instance", "instance__queue"))
        paused = [lane for lane in lanes if _paused(lane)]
        working = [lane for lane in lanes if _may_send(lane)]
        if paused and (not working or not campaign.move_from_paused_numbers):
            _pause(campaign, _paused_reason(paused[0]), tally)
            tally.apply(campaign.pk)
            return 0
        for lane in paused:
            withdraw_queued(campaign, instance=lane.instance, tally=tally)
        queued = _feed(campaign, working, now, rng, batch, tally) if working else 0
        tally.apply(campaign.pk)
        if not _has_work_left(campaign):
            campaign.status = CampaignStatus.FINISHED
            campaign.finished_at = now
            campaign.save(update_fields=["status", "finished_at", "updated_at"])
            recount(campaign.pk, now=now)
            campaign_finished.send(Campaign, campaign=campaign)
    return queued


def _may_send(lane: CampaignInstance) -> bool:
    return lane.instance.status == InstanceStatus.WORKING and not _paused(lane)


def _paused_reason(lane: CampaignInstance) -> str:
    reason = lane.instance.queue.pause_reason or "paused by hand."
    return PAUSED_REASON.format(number=lane.instance.name, reason=reason)


def _paused(lane: CampaignInstance) -> bool:
    queue = getattr(lane.instance, "queue", None)
    return queue is not None and queue.paused


def _feed(
    campaign: Campaign, lanes: list[CampaignInstance], now: datetime, rng, batch: int, tally: Tally
) -> int:
    texts = campaign.texts
    if not texts:
        return 0
    ahead = dict(
        campaign.recipients.filter(message__status=OutboundStatus.QUEUED)
        .values_list("instance_id")
        .annotate(n=Count("id"))
    )
    pending = list(
        campaign.recipients.filter(status=RecipientStatus.PENDING)
        .select_related("contact")
        .order_by("id")[:batch]
    )
    opted_out = set(
        Contact.objects.filter(phone__in=[r.phone for r in pending], opted_out=True).values_list(
            "phone", flat=True
        )
    )
    zone = time_zone(campaign.time_zone)
    queued, rotation = 0, campaign.rotation
    for recipient in pending:
        if recipient.phone in opted_out:
            _skip(recipient, tally)
            continue
        lane = _next_lane(campaign, lanes, ahead, now, zone)
        if lane is None:
            break
        slot = max(now, lane.next_send_at or now)
        variant = (campaign.rotation // len(lanes)) % len(texts)
        if _queue_one(campaign, recipient, lane, slot, variant, texts[variant], now, tally):
            ahead[lane.instance_id] = ahead.get(lane.instance_id, 0) + 1
            queued += 1
            _advance(campaign, lane, slot, rng)
        campaign.rotation += 1
    if campaign.rotation != rotation:
        campaign.save(update_fields=["rotation", "updated_at"])
    return queued


def _next_lane(campaign, lanes, ahead, now, zone) -> CampaignInstance | None:
    """Round robin from the campaign's rotation, over the numbers that have room."""
    for offset in range(len(lanes)):
        lane = lanes[(campaign.rotation + offset) % len(lanes)]
        slot = max(now, lane.next_send_at or now)
        if slot - now > FEED_HORIZON or ahead.get(lane.instance_id, 0) >= MAX_AHEAD:
            continue
        local = slot.astimezone(zone)
        if next_window_start(
            local, campaign.window_from, campaign.window_until, campaign.window_days
        ):
            continue
        if offset:
            campaign.rotation += offset
        return lane
    return None


def _queue_one(campaign, recipient, lane, slot, variant: int, text: str, now, tally) -> bool:
    custom_fields = recipient.contact.custom_fields if recipient.contact else {}
    values = templating.values_for(recipient.name, recipient.phone, custom_fields, recipient.vars)
    body = templating.render(text, values)
    if campaign.media_url:
        kind, payload = MessageKind(campaign.media_kind), {"url": campaign.media_url}
        if body:
            payload["caption"] = body
    else:
        kind, payload = MessageKind.TEXT, {"text": body}
    try:
        with transaction.atomic():
            message = enqueue(
                lane.instance,
                recipient.phone,
                kind,
                payload,
                priority=CAMPAIGN_PRIORITY,
                send_at=slot,
            )
            claimed = CampaignRecipient.objects.filter(
                pk=recipient.pk, status=RecipientStatus.PENDING
            ).update(
                status=RecipientStatus.QUEUED,
                message=message,
                instance=lane.instance,
                variant=variant,
                queued_at=now,
                error="",
            )
            if not claimed:
                raise _AlreadyClaimed
    except _AlreadyClaimed:
        return False
    except OutboundValidationError as exc:
        error = "; ".join(" ".join(problems) for problems in exc.errors.values())
        failed = CampaignRecipient.objects.filter(
            pk=recipient.pk, status=RecipientStatus.PENDING
        ).update(status=RecipientStatus.FAILED, instance=lane.instance, error=error[:300])
        tally.move("pending", "failed", failed, to_number=lane.instance_id)
        return False
    tally.move("pending", "queued", to_number=lane.instance_id)
    return True


def _advance(campaign: Campaign, lane: CampaignInstance, slot: datetime, rng) -> None:
    """Move the number's campaign clock past the message just queued."""
    wait = _draw(campaign.wait_between_messages_from, campaign.wait_between_messages_to, rng)
    lane.next_send_at = slot + timedelta(seconds=wait)
    if lane.sleep_after == 0:
        lane.sleep_after = _draw_int(campaign.sleep_after_from, campaign.sleep_after_to, rng)
    lane.sent_since_sleep += 1
    if lane.sleep_after and lane.sent_since_sleep >= lane.sleep_after:
        sleep = _draw(campaign.sleep_time_from, campaign.sleep_time_to, rng)
        lane.next_send_at += timedelta(seconds=sleep)
        lane.sent_since_sleep = 0
        lane.sleep_after = _draw_int(campaign.sleep_after_from, campaign.sleep_after_to, rng)
    lane.save(update_fields=["next_send_at", "sent_since_sleep", "sleep_after"])


def _draw(low: float, high: float, rng) -> float:
    low, high = sorted((low, high))
    return rng.uniform(low, high)


def _draw_int(low: int, high: int, rng) -> int:
    low, high = sorted((low, high))
    return rng.randint(low, high)


def _skip(recipient: CampaignRecipient, tally: Tally) -> None:
    skipped = CampaignRecipient.objects.filter(
        pk=recipient.pk, status=RecipientStatus.PENDING
    ).update(status=RecipientStatus.SKIPPED, error="Opted out.")
    tally.move("pending", "opted_out", skipped)


def withdraw_opted_out(campaign: Campaign, tally: Tally | None = None) -> int:
    """Cancel the queued messages of recipients who opted out since they were queued. Their
    counters move with `tally`, or at once without one."""
    own_tally = tally is None
    tally = tally or Tally()
    rows = campaign.recipients.filter(
        message__status=OutboundStatus.QUEUED,
        phone__in=Contact.objects.filter(opted_out=True).values("phone"),
    ).select_related("message")
    withdrawn = 0
    for recipient in rows:
        try:
            cancel_message(recipient.message)
        except ActionRefused:
            continue
        recipient.status, recipient.error = RecipientStatus.SKIPPED, "Opted out."
        recipient.save(update_fields=["status", "error"])
        number = recipient.instance_id
        tally.move("queued", "opted_out", from_number=number, to_number=number)
        withdrawn += 1
    if own_tally:
        tally.apply(campaign.pk)
    return withdrawn


def withdraw_queued(campaign: Campaign, instance=None, tally: Tally | None = None) -> int:
    """Cancel the campaign's messages not yet being sent (on one number, or all) and put their
    recipients back to pending; a message already being sent goes on and keeps its recipient.
    Their counters move with `tally`, or at once without one."""
    own_tally = tally is None
    tally = tally or Tally()
    rows = campaign.recipients.filter(message__status=OutboundStatus.QUEUED)
    if instance is not None:
        rows = rows.filter(instance=instance)
    rows = rows.select_related("message")
    returned = 0
    for recipient in rows:
        try:
            cancel_message(recipient.message)
        except ActionRefused:
            continue
        CampaignRecipient.objects.filter(pk=recipient.pk).update(
            status=RecipientStatus.PENDING,
            message=None,
            instance=None,
            variant=None,
            queued_at=None,
        )
        tally.move("queued", "pending", from_number=recipient.instance_id)
        returned += 1
    if own_tally:
        tally.apply(campaign.pk)
    return returned


def _has_work_left(campaign: Campaign) -> bool:
    return campaign.recipients.filter(
        Q(status=RecipientStatus.PENDING)
        | Q(status=RecipientStatus.QUEUED, message__status__in=PENDING_OUTBOUND)
    ).exists()


def _pause(campaign: Campaign, reason: str, tally: Tally) -> None:
    withdraw_queued(campaign, tally=tally)
    campaign.status = CampaignStatus.PAUSED
    campaign.pause_reason = reason[:300]
    campaign.save(update_fields=["status", "pause_reason", "updated_at"])
    logger.warning("Campaign %s paused itself: %s", campaign.pk, reason)
