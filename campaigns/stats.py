"""What a campaign's page shows: counts and rates, a breakdown per number, sends over time.
Each is one grouped query, whatever the number of recipients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from campaigns.models import Campaign, CampaignRecipient, RecipientStatus
from instances.models import Instance, OutboundMessage
from instances.models import OutboundStatus as S

SENT = (S.SENT, S.DELIVERED, S.READ, S.PLAYED)
DELIVERED = (S.DELIVERED, S.READ, S.PLAYED)
READ = (S.READ, S.PLAYED)
IN_FLIGHT = (S.QUEUED, S.SENDING)
MAX_BARS = 48


@dataclass
class Counts:
    total: int = 0
    pending: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0
    failed: int = 0
    unconfirmed: int = 0
    opted_out: int = 0
    cancelled: int = 0

    def add(self, status: str, message_status: str | None, n: int, replied: int) -> None:
        self.total += n
        self.replied += replied
        if status == RecipientStatus.PENDING:
            self.pending += n
        elif status == RecipientStatus.SKIPPED:
            self.opted_out += n
        elif status == RecipientStatus.FAILED or message_status == S.FAILED:
            self.failed += n
        elif message_status in IN_FLIGHT:
            self.queued += n
        elif message_status == S.UNCONFIRMED:
            self.unconfirmed += n
        elif message_status in SENT:
            self.sent += n
            self.delivered += n if message_status in DELIVERED else 0
            self.read += n if message_status in READ else 0
        else:
            self.cancelled += n

    @property
    def done(self) -> int:
        return self.total - self.pending - self.queued

    @property
    def progress(self) -> int:
        """Percent of recipients the campaign is done with."""
        return round(100 * self.done / self.total) if self.total else 0

    def rate(self, part: int, whole: int) -> int:
        return round(100 * part / whole) if whole else 0

    @property
    def delivered_rate(self) -> int:
        return self.rate(self.delivered, self.sent)

    @property
    def read_rate(self) -> int:
        return self.rate(self.read, self.sent)

    @property
    def replied_rate(self) -> int:
        return self.rate(self.replied, self.sent)


@dataclass
class NumberCounts:
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass(frozen=True)
class Bar:
    at: datetime
    sent: int
    delivered: int
    read: int


@dataclass
class CampaignStats:
    counts: Counts
    by_number: list[NumberCounts]
    # The chart: messages sent per `unit`, with how many of them were delivered and read by now.
    unit: str
    bars: list[Bar]


def chart_unit(campaign: Campaign, now: datetime) -> str:
    """Minutes, hours or days, by how long the campaign has run."""
    ran = now - (campaign.started_at or now)
    return "minute" if ran <= timedelta(hours=2) else "hour" if ran <= timedelta(days=3) else "day"


def campaign_stats(campaign: Campaign, now: datetime | None = None) -> CampaignStats:
    """Counts for the whole campaign, per sending number and per unit of time, from two grouped
    queries (each figure is a sum over their groups): recipients not yet given a message are
    counted without the join to the outbound queue, which is most of them while a big campaign
    is young."""
    now = now or timezone.now()
    unit = chart_unit(campaign, now)
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
        .annotate(at=Trunc("message__sent_at", unit), n=Count("id"), replied=replied)
    )
    rows = [*waiting, *given]
    total, by_id, by_time = Counts(), {}, {}
    for row in rows:
        status, message_status, n = row["status"], row.get("message__status"), row["n"]
        total.add(status, message_status, n, row["replied"])
        if row["instance_id"] is not None:
            entry = by_id.setdefault(row["instance_id"], Counts())
            entry.add(status, message_status, n, row["replied"])
        if row.get("at") is not None:
            sent, delivered, read = by_time.get(row["at"], (0, 0, 0))
            by_time[row["at"]] = (
                sent + n,
                delivered + (n if message_status in DELIVERED else 0),
                read + (n if message_status in READ else 0),
            )
    names = dict(Instance.objects.filter(pk__in=by_id).values_list("pk", "name")) if by_id else {}
    by_number = [NumberCounts(names.get(pk, "?"), counts) for pk, counts in by_id.items()]
    bars = [Bar(at, *by_time[at]) for at in sorted(by_time)[-MAX_BARS:]]
    return CampaignStats(total, sorted(by_number, key=lambda entry: entry.name), unit, bars)


def set_progress(campaigns: list[Campaign]) -> None:
    """Set `total` and `progress` (percent done) on each campaign of a list page, in two
    queries: recipients counted on their own table, and the messages still queued or being
    sent found from the queue's side (on the campaigns' numbers, by its index), so neither
    joins every recipient to its message. The lanes must be prefetched."""
    ids = [campaign.pk for campaign in campaigns]
    counts = {
        row["campaign_id"]: row
        for row in CampaignRecipient.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(total=Count("id"), pending=Count("id", filter=Q(status=RecipientStatus.PENDING)))
    }
    numbers = {lane.instance_id for campaign in campaigns for lane in campaign.lanes.all()}
    in_flight = dict(
        OutboundMessage.objects.filter(
            instance_id__in=numbers,
            status__in=IN_FLIGHT,
            campaign_recipient__campaign_id__in=ids,
        )
        .values_list("campaign_recipient__campaign_id")
        .annotate(n=Count("id"))
    )
    for campaign in campaigns:
        row = counts.get(campaign.pk, {"total": 0, "pending": 0})
        campaign.total = row["total"]
        done = row["total"] - row["pending"] - in_flight.get(campaign.pk, 0)
        campaign.progress = round(100 * done / row["total"]) if row["total"] else 0


def campaign_counts(campaign: Campaign) -> Counts:
    return campaign_stats(campaign).counts


@dataclass(frozen=True)
class Rect:
    kind: str
    y: int
    height: int


@dataclass(frozen=True)
class Column:
    """One bar group of the chart, in SVG units: the sent, delivered and read bars overlap,
    each a part of the one before."""

    x: int
    label: str
    rects: list[Rect]
    bar: Bar


CHART_HEIGHT = 120
COLUMN_WIDTH = 12
COLUMN_GAP = 4


def chart_columns(unit: str, bars: list[Bar]) -> list[Column]:
    top = max((bar.sent for bar in bars), default=0) or 1
    label_format = {"minute": "%H:%M", "hour": "%d %b %H:00", "day": "%d %b"}[unit]

    def rect(kind: str, value: int) -> Rect:
        height = round(CHART_HEIGHT * value / top)
        return Rect(kind, CHART_HEIGHT - height, height)

    return [
        Column(
            x=i * (COLUMN_WIDTH + COLUMN_GAP),
            label=timezone.localtime(bar.at).strftime(label_format),
            rects=[
                rect("sent", bar.sent),
                rect("delivered", bar.delivered),
                rect("read", bar.read),
            ],
            bar=bar,
        )
        for i, bar in enumerate(bars)
    ]
