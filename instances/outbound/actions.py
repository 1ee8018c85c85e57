"""What a person may do with one queued or finished message."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from instances.models import OutboundMessage, OutboundStatus, SendAttempt
from instances.outbound import media

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
    _drop_file(message)


def retry_message(message: OutboundMessage) -> None:
    """Queue a failed message again, due now, with a fresh attempt budget (and a fresh link to
    its uploaded file)."""
    _refuse_without_file(message, "retried")
    now = timezone.now()
    _move(
        message,
        (S.FAILED,),
        "retried",
        status=S.QUEUED,
        due_at=now,
        attempts=0,
        last_error="",
        payload=media.relink(message, now),
    )


def mark_sent(message: OutboundMessage, decided_by: str) -> None:
    """A person checked (on the phone, with the customer) that an unconfirmed message arrived."""
    _move(message, (S.UNCONFIRMED,), "marked as sent", status=S.SENT, last_error="")
    _note(message, f"Marked as sent by {decided_by}.")


def resend_message(message: OutboundMessage, decided_by: str) -> None:
    """A person decided an unconfirmed message did not arrive: send it again (it may arrive
    twice if it did)."""
    _refuse_without_file(message, "sent again")
    now = timezone.now()
    _move(
        message,
        (S.UNCONFIRMED,),
        "sent again",
        status=S.QUEUED,
        due_at=now,
        attempts=0,
        last_error="",
        payload=media.relink(message, now),
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


def _refuse_without_file(message: OutboundMessage, what: str) -> None:
    if media.lost_its_file(message):
        raise ActionRefused(
            f"This message cannot be {what}: its uploaded file has been deleted. "
            "Compose it again with the file."
        )


def _drop_file(message: OutboundMessage) -> None:
    """A cancelled message will never be sent: its uploaded file can go now."""
    if message.media_name:
        media.delete_stored(message.media_name)
        OutboundMessage.objects.filter(pk=message.pk).update(media_name="")
        message.media_name = ""
