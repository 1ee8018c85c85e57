"""What a person may do with one queued or finished message."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from instances.models import OutboundMessage, OutboundStatus, SendAttempt

S = OutboundStatus


class ActionRefused(Exception):
    """The message is not in a state that allows the action; the message says why."""


def _move(message: OutboundMessage, allowed: tuple[str, ...], what: str, **fields) -> None:
    now = timezone.now()
    with transaction.atomic():
        moved = OutboundMessage.objects.filter(pk=message.pk, status__in=allowed).update(
            status_changed_at=now, **fields
        )
    if not moved:
        message.refresh_from_db()
        raise ActionRefused(f"A {message.get_status_display().lower()} message cannot be {what}.")
    message.refresh_from_db()


def cancel_message(message: OutboundMessage) -> None:
    """Only a message still waiting can be cancelled; one being sent is already on its way."""
    _move(message, (S.QUEUED,), "cancelled", status=S.CANCELLED)


def retry_message(message: OutboundMessage) -> None:
    """Queue a failed message again, due now, with a fresh attempt budget."""
    _move(
        message,
        (S.FAILED,),
        "retried",
        status=S.QUEUED,
        due_at=timezone.now(),
        attempts=0,
        last_error="",
    )


def mark_sent(message: OutboundMessage, decided_by: str) -> None:
    """A person checked (on the phone, with the customer) that an unconfirmed message arrived."""
    _move(message, (S.UNCONFIRMED,), "marked as sent", status=S.SENT, last_error="")
    _note(message, f"Marked as sent by {decided_by}.")


def resend_message(message: OutboundMessage, decided_by: str) -> None:
    """A person decided an unconfirmed message did not arrive: send it again (it may arrive
    twice if it did)."""
    _move(
        message,
        (S.UNCONFIRMED,),
        "sent again",
        status=S.QUEUED,
        due_at=timezone.now(),
        attempts=0,
        last_error="",
    )
    _note(message, f"Sent again on the decision of {decided_by}.")


def _note(message: OutboundMessage, detail: str) -> None:
    now = timezone.now()
    SendAttempt.objects.create(
        message=message,
        instance_id=message.instance_id,
        worker="dashboard",
        started_at=now,
        finished_at=now,
        outcome=SendAttempt.Outcome.DECIDED,
        detail=detail[:300],
    )
