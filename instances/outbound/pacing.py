"""When an instance may send next: a delay drawn between its min and max, and a per-minute cap.
Pure functions of their inputs, so tests pass a seeded random source and fixed times."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTE = timedelta(minutes=1)


def draw_delay(min_seconds: float, max_seconds: float, rng: random.Random) -> timedelta:
    low, high = sorted((max(min_seconds, 0.0), max(max_seconds, 0.0)))
    return timedelta(seconds=rng.uniform(low, high))


def cap_frees_at(recent_starts: list[datetime], cap: int, now: datetime) -> datetime | None:
    """None when another send fits in the last minute's cap, else when the oldest one ages out.
    `recent_starts` are the send start times of the last minute, oldest first."""
    window = [start for start in recent_starts if start > now - MINUTE]
    if len(window) < cap:
        return None
    return window[len(window) - cap] + MINUTE


def retry_delay(attempt: int, rng: random.Random, retry_after: float | None = None) -> timedelta:
    """Exponential backoff from 5 s, capped at 15 minutes, with ±20% jitter so instances that
    failed together do not retry together; a gateway's Retry-After is a floor."""
    base = min(5.0 * 2 ** max(attempt - 1, 0), 900.0)
    seconds = base * rng.uniform(0.8, 1.2)
    if retry_after is not None:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


def daily_cap(
    per_day_cap: int, warmup_start: int, warmup_step: int, warmup_since: date | None, today: date
) -> int:
    """The day's cap: a new number warms up from `warmup_start`, growing by `warmup_step`
    a day, until it reaches the normal cap."""
    if warmup_since is None or warmup_start <= 0:
        return per_day_cap
    days = max((today - warmup_since).days, 0)
    return min(per_day_cap, warmup_start + warmup_step * days)


def todays_cap(settings, today: date) -> int:
    """`daily_cap` for a number's queue settings (`QueueSettings`) on its local `today`."""
    return daily_cap(
        settings.per_day_cap,
        settings.warmup_start_cap,
        settings.warmup_daily_increase,
        settings.warmup_started_on,
        today,
    )


def time_zone(name: str) -> ZoneInfo:
    """The named zone; UTC for a name this machine does not know (they are stored as text)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_window_start(
    local_now: datetime, start: time | None, end: time | None, weekdays: str
) -> datetime | None:
    """None while `local_now` is inside the sending hours, else when they next open.

    `weekdays` holds ISO day numbers (1 = Monday; empty means every day); no hours means all day.
    A window whose end is before its start runs past midnight (22:00-06:00).
    """
    start, end = start or time.min, end or time.max

    def open_at(moment: datetime) -> bool:
        clock = moment.timetz().replace(tzinfo=None)
        if start <= end:
            inside, day = start <= clock <= end, moment.isoweekday()
        else:
            inside = clock >= start or clock <= end
            day = (
                moment.isoweekday() if clock >= start else (moment - timedelta(days=1)).isoweekday()
            )
        return inside and str(day) in weekdays

    if open_at(local_now):
        return None
    for offset in range(8):
        day = (local_now + timedelta(days=offset)).date()
        candidate = datetime.combine(day, start, tzinfo=local_now.tzinfo)
        if candidate > local_now and open_at(candidate):
            return candidate
    return None
