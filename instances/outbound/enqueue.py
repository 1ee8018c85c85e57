"""`enqueue`: the only way anything is queued for sending."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from instances.engines.base import MessageKind
from instances.models import Instance, OutboundMessage
from instances.outbound.errors import OutboundValidationError
from instances.outbound.recipients import chat_id_for
from instances.outbound.validation import clean_payload
from instances.outbound.wake import wake_pump

PRIORITY_RANGE = (-100, 100)


def enqueue(
    instance: Instance,
    to: str,
    kind: MessageKind | str,
    payload: dict,
    *,
    priority: int = 0,
    send_at: datetime | None = None,
) -> OutboundMessage:
    """Validate, normalize the recipient and queue one message. Raises OutboundValidationError
    with every problem by field; nothing is queued then."""
    errors: dict[str, list[str]] = {}
    try:
        chat_id = chat_id_for(to)
    except OutboundValidationError as exc:
        errors.update(exc.errors)
    try:
        cleaned = clean_payload(kind, payload)
    except OutboundValidationError as exc:
        errors.update(exc.errors)
    low, high = PRIORITY_RANGE
    if isinstance(priority, bool) or not isinstance(priority, int) or not low <= priority <= high:
        errors["priority"] = [f"Must be a whole number from {low} to {high}."]
    if send_at is not None and (not isinstance(send_at, datetime) or timezone.is_naive(send_at)):
        errors["send_at"] = ["Must be a date and time with a time zone."]
    if errors:
        raise OutboundValidationError(errors)
    now = timezone.now()
    transaction.on_commit(wake_pump)
    return OutboundMessage.objects.create(
        instance=instance,
        chat_id=chat_id,
        kind=MessageKind(kind),
        payload=cleaned,
        priority=priority,
        send_at=send_at,
        due_at=max(send_at, now) if send_at else now,
        status_changed_at=now,
    )
