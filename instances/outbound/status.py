"""Outbound statuses only move forward; acks advance a sent message, never back."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from instances.engines.base import Ack
from instances.models import Instance, OutboundMessage, OutboundStatus
from instances.signals import message_status_changed

S = OutboundStatus
# The delivery ladder; a message climbs it and never steps down.
LADDER = (S.QUEUED, S.SENDING, S.SENT, S.DELIVERED, S.READ, S.PLAYED)
FINAL = frozenset({S.FAILED, S.UNCONFIRMED, S.CANCELLED})
ACK_STATUS = {
    Ack.SERVER: S.SENT,
    Ack.DEVICE: S.DELIVERED,
    Ack.READ: S.READ,
    Ack.PLAYED: S.PLAYED,
}


def is_forward(current: str, new: str) -> bool:
    """True when `new` is later than `current`. An ack proves a send, so an unconfirmed or failed
    message that the engine acknowledges is corrected to the acknowledged status."""
    if new == current or current == S.CANCELLED:
        return False
    if current in FINAL:
        return new in LADDER[2:]
    if new in FINAL:
        return current in (S.QUEUED, S.SENDING)
    return LADDER.index(new) > LADDER.index(current)


def apply_ack(instance: Instance, message_id: str, ack: Ack | None) -> bool:
    """Advance the outbound message the engine acknowledged; True when its status moved.

    WAHA names our sends `true_<chat>_<id>`, where `<id>` is the client id Switchboard sent, so
    an ack that arrives before the send's answer was recorded still finds its message.
    """
    new = ACK_STATUS.get(ack) if ack is not None else None
    if new is None or not message_id:
        return False
    message = _find(instance, message_id)
    if message is None or not is_forward(message.status, new):
        return False
    with transaction.atomic():
        updated = OutboundMessage.objects.filter(pk=message.pk, status=message.status).update(
            status=new,
            status_changed_at=timezone.now(),
            provider_id=message.provider_id or message_id,
        )
        if updated:
            message_status_changed.send(
                OutboundMessage, message=message, status=new, previous=message.status, error=""
            )
    return bool(updated)


def _find(instance: Instance, message_id: str) -> OutboundMessage | None:
    found = OutboundMessage.objects.filter(instance=instance, provider_id=message_id).first()
    if found is not None:
        return found
    parts = message_id.split("_")
    if len(parts) < 3 or parts[0] != "true":
        return None
    try:
        client_id = uuid.UUID(hex=parts[2])
    except ValueError:
        return None
    return OutboundMessage.objects.filter(instance=instance, client_id=client_id).first()


def wire_id(message: OutboundMessage) -> str:
    """The message id Switchboard asks the engine to use: the client id in WhatsApp's style
    (upper-case hex), so acks and look-ups lead back to the row."""
    return message.client_id.hex.upper()
