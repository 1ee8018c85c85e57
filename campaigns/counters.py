"""Per-campaign counters: how many recipients are at each stage on each number
(`CampaignCounts`), and the sends, deliveries and reads per minute (`CampaignActivity`), kept in
the transaction that moves a recipient or its message, so the campaign page reads a few rows
whatever the campaign's size.

- Campaign code (feeder, services) collects its moves in a `Tally` and applies them with F()
  updates at the end of its transaction, after every message row it locks.
- `instances` sends `message_status_changed` where a send's outcome or an ack moves a message;
  `on_message_status_changed` moves its recipient's stage with one UPDATE (none when the stage
  stays, as from queued to sending), and records the minute's activity.
- `recount` rebuilds both from the rows under the campaign's and the counters' row locks. The
  watchdog runs it every minute for running campaigns and hourly for a day for paused and ended
  ones, which corrects what no signal reports (a person's action on one message, bulk queue
  actions, a crashed worker's sends found stale).

Locks are taken message row first, counters row last (sends and acks), or campaign row, then
message rows, then counters (feeder and actions), so two of them never wait on each other in a
circle. A recount locks the counters rows before it counts: a move committed before is in its
count, and a move waiting on its lock applies its delta to the recounted value after it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import chain

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncMinute
from django.utils import timezone

from campaigns.models import (
    CAMPAIGN_PRIORITY,
    Campaign,
    CampaignActivity,
    CampaignCounts,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from instances.models import OutboundStatus as S

STAGES = (
    "pending",
    "queued",
    "sent",
    "delivered",
    "read",
    "failed",
    "unconfirmed",
    "opted_out",
    "cancelled",
)
SENT = (S.SENT, S.DELIVERED, S.READ, S.PLAYED)
DELIVERED = (S.DELIVERED, S.READ, S.PLAYED)
READ = (S.READ, S.PLAYED)
IN_FLIGHT = (S.QUEUED, S.SENDING)
# Paused and ended campaigns are recounted this often, for this long after they end.
QUIET_RECOUNT_EVERY = timedelta(hours=1)
QUIET_RECOUNT_FOR = timedelta(days=1)


def stage_of(status: str, message_status: str | None) -> str:
    """The one stage a recipient is at, from its own status and its message's."""
    if status == RecipientStatus.PENDING:
        return "pending"
    if status == RecipientStatus.SKIPPED:
        return "opted_out"
    if status == RecipientStatus.FAILED or message_status == S.FAILED:
        return "failed"
    if message_status in IN_FLIGHT:
        return "queued"
    if message_status == S.UNCONFIRMED:
        return "unconfirmed"
    if message_status in READ:
        return "read"
    if message_status == S.DELIVERED:
        return "delivered"
    if message_status == S.SENT:
        return "sent"
    return "cancelled"


class Tally:
    """Recipients moved between stages and numbers in one transaction, applied at its end with
    one UPDATE per counters row touched."""

    def __init__(self) -> None:
        self.changes: defaultdict[int | None, Counter] = defaultdict(Counter)

    def add(self, stage: str, n: int = 1, *, number: int | None = None) -> None:
        self.changes[number][stage] += n

    def move(
        self,
        from_stage: str,
        to_stage: str,
        n: int = 1,
        *,
        from_number: int | None = None,
        to_number: int | None = None,
    ) -> None:
        self.add(from_stage, -n, number=from_number)
        self.add(to_stage, n, number=to_number)

    def apply(self, campaign_id: int) -> None:
        for number, deltas in self.changes.items():
            fields = {stage: F(stage) + n for stage, n in deltas.items() if n}
            if not fields:
                continue
            rows = CampaignCounts.objects.filter(campaign_id=campaign_id, instance_id=number)
            if not rows.update(**fields):
                ensure_rows(campaign_id, [number])
                rows.update(**fields)
        self.changes.clear()


def ensure_rows(campaign_id: int, numbers=None) -> None:
    """The counters rows of the campaign's numbers (or of `numbers`) and of recipients with no
    number yet, made where missing."""
    if numbers is None:
        lanes = Campaign.instances.through.objects.filter(campaign_id=campaign_id)
        numbers = list(lanes.values_list("instance_id", flat=True))
    CampaignCounts.objects.bulk_create(
        [CampaignCounts(campaign_id=campaign_id, instance_id=n) for n in {None, *numbers}],
        ignore_conflicts=True,
    )


def on_message_status_changed(sender, message, status: str, previous: str, **kwargs) -> None:
    """Move the stage of the campaign recipient whose message this is, if it is one."""
    before = stage_of(RecipientStatus.QUEUED, previous)
    after = stage_of(RecipientStatus.QUEUED, status)
    # Only the feeder queues at the campaign priority: other sends cost no query here.
    if before == after or message.priority != CAMPAIGN_PRIORITY:
        return
    recipient = CampaignRecipient.objects.filter(
        message_id=message.pk, status=RecipientStatus.QUEUED
    )
    moved = CampaignCounts.objects.filter(
        instance_id=message.instance_id, campaign__in=recipient.values("campaign_id")
    ).update(**{before: F(before) - 1, after: F(after) + 1})
    if moved:
        _record_activity(message, previous, status)


def _record_activity(message, previous: str, status: str) -> None:
    def became(stages) -> int:
        return int(status in stages and previous not in stages)

    sent, delivered, read = became(SENT), became(DELIVERED), became(READ)
    if not (sent or delivered or read):
        return
    minute = (message.sent_at or timezone.now()).replace(second=0, microsecond=0)
    activity = CampaignActivity._meta.db_table
    recipients = CampaignRecipient._meta.db_table
    # One statement that finds the campaign and adds to its minute, which the ORM cannot write
    # (an INSERT ... SELECT with ON CONFLICT DO UPDATE adding to the stored row).
    sql = (
        f"INSERT INTO {activity} (campaign_id, minute, sent, delivered, read) "  # noqa: S608 - names from the models
        f"SELECT r.campaign_id, %s, %s, %s, %s FROM {recipients} r "
        "WHERE r.message_id = %s AND r.status = %s "
        "ON CONFLICT (campaign_id, minute) DO UPDATE SET "
        f"sent = {activity}.sent + excluded.sent, "
        f"delivered = {activity}.delivered + excluded.delivered, "
        f"read = {activity}.read + excluded.read"
    )
    params = [
        connection.ops.adapt_datetimefield_value(minute),
        sent,
        delivered,
        read,
        message.pk,
        RecipientStatus.QUEUED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def recount(campaign_id: int, *, now: datetime | None = None) -> None:
    """Rebuild the campaign's counters and activity from its recipients and their messages."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.locked().filter(pk=campaign_id).first()
        if campaign is None:
            return
        ensure_rows(campaign.pk)
        rows = {
            row.instance_id: row
            for row in CampaignCounts.objects.select_for_update().filter(campaign=campaign)
        }
        counted = _count_stages(campaign)
        for number in counted.keys() - rows.keys():
            rows[number] = CampaignCounts.objects.create(campaign=campaign, instance_id=number)
        for number, row in rows.items():
            for name in (*STAGES, "replied"):
                setattr(row, name, counted[number][name])
        CampaignCounts.objects.bulk_update(rows.values(), [*STAGES, "replied"])
        campaign.activity.all().delete()
        CampaignActivity.objects.bulk_create(_count_activity(campaign))
        Campaign.objects.filter(pk=campaign.pk).update(counted_at=now)


def _count_stages(campaign: Campaign) -> defaultdict[int | None, Counter]:
    replied = Count("id", filter=Q(replied_at__isnull=False))
    recipients = campaign.recipients.order_by()
    waiting = (
        recipients.filter(message__isnull=True)
        .values("instance_id", "status")
        .annotate(n=Count("id"), replied=replied)
    )
    given = (
        recipients.filter(message__isnull=False)
        .values("instance_id", "status", "message__status")
        .annotate(n=Count("id"), replied=replied)
    )
    counted: defaultdict[int | None, Counter] = defaultdict(Counter)
    for row in chain(waiting, given):
        counts = counted[row["instance_id"]]
        counts[stage_of(row["status"], row.get("message__status"))] += row["n"]
        counts["replied"] += row["replied"]
    return counted


def _count_activity(campaign: Campaign) -> list[CampaignActivity]:
    def having(stages) -> Count:
        return Count("id", filter=Q(message__status__in=stages))

    rows = (
        campaign.recipients.order_by()
        .filter(status=RecipientStatus.QUEUED, message__status__in=SENT)
        .annotate(minute=TruncMinute(Coalesce("message__sent_at", "message__status_changed_at")))
        .filter(minute__isnull=False)
        .values("minute")
        .annotate(sent=Count("id"), delivered=having(DELIVERED), read=having(READ))
    )
    return [CampaignActivity(campaign=campaign, **row) for row in rows]


def campaigns_to_recount(now: datetime | None = None):
    """Running campaigns; paused and ended ones not recounted for an hour, for a day after
    they ended."""
    now = now or timezone.now()
    quiet = Q(
        status__in=(CampaignStatus.PAUSED, CampaignStatus.FINISHED, CampaignStatus.CANCELLED),
        counted_at__lt=now - QUIET_RECOUNT_EVERY,
    ) & (Q(finished_at__isnull=True) | Q(finished_at__gte=now - QUIET_RECOUNT_FOR))
    return Campaign.objects.filter(Q(status=CampaignStatus.RUNNING) | quiet)
