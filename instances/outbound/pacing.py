"""When an instance may send next: a delay drawn between its min and max, and a per-minute cap.
Pure functions of their inputs, so tests pass a seeded random source and fixed times."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

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
