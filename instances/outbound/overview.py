"""Each instance's queue at a glance, for the instance list, the instance page and the
dashboard: how many wait, how many went out today against the day's cap, why it is paused.

One query more than the instances' own, for any number of them: the "today" of each instance
starts at midnight in its own time zone, so sends are counted with one condition per midnight.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from instances.models import (
    PENDING_OUTBOUND,
    Instance,
    OutboundStatus,
    QueueSettings,
    SendAttempt,
)
from instances.outbound import pacing
from instances.outbound.dispatcher import NOT_SENDS

S = OutboundStatus


@dataclass(frozen=True)
class QueueOverview:
    depth: int
    failed: int
    sent_today: int
    # Today's daily cap, lowered while a new number warms up.
    cap: int
    warming_up: bool
    paused: bool
    pause_reason: str

    @property
    def cap_reached(self) -> bool:
        return self.sent_today >= self.cap


def with_queue_counts(instances: QuerySet[Instance]) -> QuerySet[Instance]:
    """The instances with what `overviews` reads, in the same query: `queue_depth`,
    `queue_failed` and their pace (`queue`)."""
    return instances.select_related("queue").annotate(
        queue_depth=Count("outbound", filter=Q(outbound__status__in=PENDING_OUTBOUND)),
        queue_failed=Count("outbound", filter=Q(outbound__status=S.FAILED)),
    )


def overviews(
    instances: Iterable[Instance], now: datetime | None = None
) -> dict[int, QueueOverview]:
    """The overview of each instance from `with_queue_counts`, in one more query."""
    rows = list(instances)
    if not rows:
        return {}
    now = now or timezone.now()
    # Instances that never had their pace set send at the defaults.
    settings = {row.pk: _pace(row) for row in rows}
    local_now = {
        pk: now.astimezone(pacing.time_zone(pace.time_zone)) for pk, pace in settings.items()
    }
    sent = _sent_today(local_now)
    result = {}
    for row in rows:
        pace = settings[row.pk]
        cap = pacing.todays_cap(pace, local_now[row.pk].date())
        result[row.pk] = QueueOverview(
            depth=row.queue_depth,
            failed=row.queue_failed,
            sent_today=sent.get(row.pk, 0),
            cap=cap,
            warming_up=cap < pace.per_day_cap,
            paused=pace.paused,
            pause_reason=pace.pause_reason,
        )
    return result


def _pace(instance: Instance) -> QueueSettings:
    try:
        return instance.queue
    except QueueSettings.DoesNotExist:
        return QueueSettings(instance=instance)


def _sent_today(local_now: dict[int, datetime]) -> dict[int, int]:
    """Sends started since each instance's local midnight, counted as the daily cap counts them
    (every attempt but notes: a person's decision, a look-up)."""
    by_midnight: dict[datetime, list[int]] = {}
    for pk, moment in local_now.items():
        midnight = datetime.combine(moment.date(), datetime.min.time(), tzinfo=moment.tzinfo)
        by_midnight.setdefault(midnight, []).append(pk)
    since = reduce(
        or_,
        (Q(instance_id__in=pks, started_at__gte=start) for start, pks in by_midnight.items()),
    )
    rows = (
        SendAttempt.objects.filter(since)
        .exclude(outcome__in=NOT_SENDS)
        .values_list("instance_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)
