"""A WAHA-compatible fake WhatsApp gateway for the demo, the tests and load tests.

It speaks WAHA's wire protocol (paths, JSON, statuses, webhook envelope, HMAC) and keeps
everything in memory. A profile picks the release it behaves like (`profiles.py`). `Simulator`
runs it; `manage.py simulator` serves it on a port.
"""

from __future__ import annotations

from .app import DEFAULT_API_KEY, Simulator
from .clock import ManualClock
from .faults import Faults
from .profiles import CORE_2024_10, CURRENT, PROFILES, Profile
from .state import DEFAULT_ACK_DELAYS, SimulatorState
from .webhooks import WebhookDispatcher, WebhookEvent, sign

__all__ = [
    "CORE_2024_10",
    "CURRENT",
    "DEFAULT_ACK_DELAYS",
    "DEFAULT_API_KEY",
    "PROFILES",
    "Faults",
    "ManualClock",
    "Profile",
    "Simulator",
    "SimulatorState",
    "WebhookDispatcher",
    "WebhookEvent",
    "sign",
]
