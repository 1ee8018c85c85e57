"""The outbound queue: every message Switchboard sends is queued here and sent by the dispatcher.

`enqueue` is the only entry point; see docs/architecture.md, "Outbound queue".
"""

from __future__ import annotations

from instances.outbound.enqueue import enqueue
from instances.outbound.errors import OutboundValidationError

__all__ = ["OutboundValidationError", "enqueue"]
