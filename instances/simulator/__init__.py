"""A WAHA-compatible fake WhatsApp gateway for the demo, the tests and load tests.

It speaks WAHA 2024.10.8's wire protocol (paths, JSON, statuses, webhook envelope, HMAC) and
keeps everything in memory. `Simulator` runs it; `manage.py simulator` serves it on a port.
"""

from __future__ import annotations

from .app import DEFAULT_API_KEY, Simulator
from .clock import ManualClock
from .faults import Faults
from .state import DEFAULT_ACK_DELAYS, SimulatorState
from .webhooks import WebhookDispatcher, WebhookEvent, sign

__all__ = [
    "DEFAULT_ACK_DELAYS",
    "DEFAULT_API_KEY",
    "Faults",
    "ManualClock",
    "Simulator",
    "SimulatorState",
    "WebhookDispatcher",
    "WebhookEvent",
    "sign",
]
