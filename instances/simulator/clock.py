"""Time sources. The state reads time only through a clock, so tests can move it by hand."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Returns the current time as Unix seconds (like `time.time`)."""


def system_clock() -> float:
    return time.time()


class ManualClock:
    """A clock that only moves when told to: QR rotation and auto-scan without sleeping."""

    def __init__(self, start: float | None = None) -> None:
        # Start at the real time so webhook timestamps look fresh to receivers that check them.
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
