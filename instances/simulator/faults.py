"""Faults on request: latency, throttling, errors, resets, timeouts, odd webhook delivery."""

from __future__ import annotations

import enum
import random
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .errors import bad_request

_SEND_RATES = ("rate_429", "rate_500", "rate_reset", "rate_timeout")
_RATES = (*_SEND_RATES, "duplicate_webhooks")


class SendFault(enum.StrEnum):
    THROTTLE = "rate_429"
    ERROR = "rate_500"
    RESET = "rate_reset"
    TIMEOUT = "rate_timeout"


@dataclass(frozen=True)
class Faults:
    """Latency applies to every /api request; the rates apply to send requests only.

    The four send rates are exclusive slices of one draw, so their sum may not exceed 1.
    `rate_timeout` accepts and records the message, then holds the answer `timeout_hold_s`.
    """

    latency_ms: int = 0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_reset: float = 0.0
    rate_timeout: float = 0.0
    timeout_hold_s: float = 35.0
    duplicate_webhooks: float = 0.0
    out_of_order_webhooks: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def merged(self, changes: Any) -> Faults:
        """These faults with `changes` applied; 400 with every problem when they are invalid."""
        if not isinstance(changes, dict):
            raise bad_request(["body must be an object"])
        known = {field.name for field in fields(self)}
        errors = [f"property {key} should not exist" for key in changes if key not in known]
        for key, value in changes.items():
            if key in _RATES and not (_is_number(value) and 0 <= value <= 1):
                errors.append(f"{key} must be a number between 0 and 1")
            elif key == "latency_ms" and not (_is_int(value) and value >= 0):
                errors.append("latency_ms must be a non-negative integer")
            elif key == "timeout_hold_s" and not (_is_number(value) and value >= 0):
                errors.append("timeout_hold_s must be a non-negative number")
            elif key == "out_of_order_webhooks" and not isinstance(value, bool):
                errors.append("out_of_order_webhooks must be a boolean value")
        if errors:
            raise bad_request(errors)
        result = replace(self, **changes)
        if sum(getattr(result, name) for name in _SEND_RATES) > 1:
            raise bad_request(["rate_429 + rate_500 + rate_reset + rate_timeout must not exceed 1"])
        return result

    def draw_send_fault(self, rng: random.Random) -> SendFault | None:
        roll = rng.random()
        threshold = 0.0
        for fault in SendFault:
            threshold += getattr(self, fault.value)
            if roll < threshold:
                return fault
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
