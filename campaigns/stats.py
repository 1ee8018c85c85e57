"""What a campaign's page shows: counts and rates, a breakdown per number, sends over time.
All read from the campaign's counters (campaigns/counters.py): a few rows whatever the number
of recipients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from campaigns import counters
from campaigns.models import Campaign, CampaignActivity, CampaignCounts

MAX_BARS = 48


@dataclass
class Counts:
    """Recipients by stage; `sent` includes those delivered and read since, `delivered` those
    read."""

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

    def add(self, row: CampaignCounts) -> None:
        """Add a counters row, whose stages are exclusive."""
        stages = {stage: getattr(row, stage) for stage in counters.STAGES}
        self.total += sum(stages.values())
        for stage in ("pending", "queued", "failed", "unconfirmed", "opted_out", "cancelled"):
            setattr(self, stage, getattr(self, stage) + stages[stage])
        self.sent += stages["sent"] + stages["delivered"] + stages["read"]
        self.delivered += stages["delivered"] + stages["read"]
        self.read += stages["read"]
        self.replied += row.replied

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
    """Counts for the whole campaign and per sending number, and the chart, from two queries
    over its counters rows (counted from the recipients first if they never were)."""
    now = now or timezone.now()
    if campaign.counted_at is None:
        counters.recount(campaign.pk, now=now)
    unit = chart_unit(campaign, now)
    total, by_number = Counts(), []
    for row in CampaignCounts.objects.filter(campaign=campaign).select_related("instance"):
        total.add(row)
        if row.instance is not None:
            number = NumberCounts(row.instance.name)
            number.counts.add(row)
            if number.counts.total:
                by_number.append(number)
    sums = (
        CampaignActivity.objects.filter(campaign=campaign)
        .annotate(at=Trunc("minute", unit))
        .values("at")
        .annotate(sent=Sum("sent"), delivered=Sum("delivered"), read=Sum("read"))
        .order_by("-at")[:MAX_BARS]
    )
    bars = [Bar(**row) for row in reversed(sums)]
    return CampaignStats(total, sorted(by_number, key=lambda entry: entry.name), unit, bars)


def set_progress(campaigns: list[Campaign]) -> None:
    """Set `total` and `progress` (percent done) on each campaign of a list page, from one query
    over their counters rows."""
    for campaign in campaigns:
        if campaign.counted_at is None:
            counters.recount(campaign.pk)
    stages = {stage: Sum(stage) for stage in counters.STAGES}
    rows = {
        row["campaign_id"]: row
        for row in CampaignCounts.objects.filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(**stages)
    }
    for campaign in campaigns:
        row = rows.get(campaign.pk)
        campaign.total = sum(row[stage] for stage in counters.STAGES) if row else 0
        done = campaign.total - (row["pending"] + row["queued"] if row else 0)
        campaign.progress = round(100 * done / campaign.total) if campaign.total else 0


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
