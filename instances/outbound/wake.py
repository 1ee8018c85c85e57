"""Starting the pump when work arrives, instead of keeping it running while there is none.

An idle pump ends its run without a successor (`pump.run_pump`); new messages and finished
bursts wake it, and the one-minute watchdog (`instances.tasks.ensure_pump`) catches the rest.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django_q.tasks import async_task

LEASE_KEY = "outbound-pump-lease"
# One wake-up a second per process is plenty: the pump, once running, sees everything queued.
WAKE_INTERVAL = 1.0
_last_wake = float("-inf")


def wake_pump(*, clock=time.monotonic) -> bool:
    """Queue a pump run unless one holds the lease or this process asked a moment ago; True when
    a run was queued."""
    global _last_wake
    if clock() - _last_wake < WAKE_INTERVAL or pump_is_running():
        return False
    _last_wake = clock()
    async_task("instances.tasks.pump_outbound", group="outbound-pump")
    return True


def pump_is_running() -> bool:
    return cache.get(LEASE_KEY) is not None
