"""What each normalized event kind does when it is applied.

Kinds in HANDLERS change state now; kinds in STORED_FOR_LATER are kept for the inbox and
outbound-queue handlers that build on the receiver; anything else is stored as unsupported.
"""

from __future__ import annotations

from collections.abc import Callable

from instances.engines.base import Event, EventKind
from instances.models import Instance, StatusChange
from instances.outbound.status import apply_ack
from instances.services import record_status


def apply_session_status(instance: Instance, event: Event) -> None:
    record_status(
        instance.pk,
        event.data.status,
        source=StatusChange.Source.WEBHOOK,
        me=event.me,
        reported_at=event.occurred_at,
    )


def apply_message_ack(instance: Instance, event: Event) -> None:
    """Delivery ticks move the outbound message forward (never back)."""
    apply_ack(instance, event.data.message_id, event.data.ack)


HANDLERS: dict[EventKind, Callable[[Instance, Event], None]] = {
    EventKind.SESSION_STATUS: apply_session_status,
    EventKind.ACK: apply_message_ack,
}

STORED_FOR_LATER = frozenset(
    {EventKind.MESSAGE, EventKind.REACTION, EventKind.REVOKED, EventKind.EDITED}
)
