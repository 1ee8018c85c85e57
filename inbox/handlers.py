"""What each normalized event kind does when it is applied: one small function per kind.

Kinds in HANDLERS change state; anything else is stored as unsupported. Each handler is
idempotent, so an event applied twice (a duplicate, a reprocess) changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable

from inbox import conversations
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


def apply_message(instance: Instance, event: Event) -> None:
    """`message` and `message.any`: a bubble in its conversation, once."""
    conversations.record_message(instance, event.data)


def apply_message_ack(instance: Instance, event: Event) -> None:
    """Delivery ticks move the outbound message forward (never back), then the bubble."""
    apply_ack(instance, event.data.message_id, event.data.ack)
    conversations.record_ack(instance, event.data.message_id, event.data.ack)


def apply_reaction(instance: Instance, event: Event) -> None:
    sender = event.data.sender_id
    ours = event.me is not None and sender in (event.me.id, event.me.lid)
    conversations.record_reaction(
        instance, event.data.message_id, event.data.emoji, "me" if ours else sender
    )


def apply_revoked(instance: Instance, event: Event) -> None:
    conversations.record_revoke(instance, event.data.message_id)


def apply_edited(instance: Instance, event: Event) -> None:
    conversations.record_edit(instance, event.data.message_id, event.data.text)


HANDLERS: dict[EventKind, Callable[[Instance, Event], None]] = {
    EventKind.SESSION_STATUS: apply_session_status,
    EventKind.MESSAGE: apply_message,
    EventKind.ACK: apply_message_ack,
    EventKind.REACTION: apply_reaction,
    EventKind.REVOKED: apply_revoked,
    EventKind.EDITED: apply_edited,
}

# Kinds a later handler may pick up; reprocessing applies them once one exists.
STORED_FOR_LATER: frozenset[EventKind] = frozenset()
