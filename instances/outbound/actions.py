"""What a person may do with one queued or finished message."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from instances.models import Instance, OutboundMessage, OutboundStatus, SendAttempt
from instances.outbound import media

S = OutboundStatus


# How many messages a confirmation page shows of those an action would touch.
SAMPLE_SIZE = 5


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


# Whole-queue actions (seed 000 "Retry All Messages", seed 003 "clearMessagesQueue").
def failed_to_retry(
    instance: Instance, *, since: datetime | None = None, last_per_chat: bool = False
) -> QuerySet[OutboundMessage]:
    """The failed messages `retry_failed` would queue again, newest first.

    `since`: only messages created from then on. `last_per_chat`: of each chat's failed
    messages only the newest, so a customer gets one message rather than a backlog.
    Messages whose uploaded file has been deleted cannot be sent again and are left out.
    """
    rows = OutboundMessage.objects.filter(instance=instance, status=S.FAILED)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if last_per_chat:
        newest = rows.order_by().values("chat_id").annotate(newest=Max("id")).values("newest")
        rows = rows.filter(id__in=newest)
    lost = OutboundMessage.objects.filter(
        instance=instance,
        status=S.FAILED,
        media_name="",
        payload__url__startswith=media.link_prefix(),
    )
    return rows.exclude(pk__in=lost.values("pk")).order_by("-created_at", "-id")


def retry_failed(
    instance: Instance, *, since: datetime | None = None, last_per_chat: bool = False
) -> int:
    """Queue the failed messages again, due now with a fresh attempt budget; returns how many."""
    rows = failed_to_retry(instance, since=since, last_per_chat=last_per_chat)
    now = timezone.now()
    fields = {"status": S.QUEUED, "due_at": now, "attempts": 0, "last_error": ""}
    retried = 0
    with transaction.atomic():
        for message in rows.exclude(media_name=""):
            payload = media.relink(message, now)
            retried += OutboundMessage.objects.filter(pk=message.pk, status=S.FAILED).update(
                status_changed_at=now, payload=payload, **fields
            )
        retried += (
            OutboundMessage.objects.filter(pk__in=rows.filter(media_name="").values("pk"))
            .filter(status=S.FAILED)
            .update(status_changed_at=now, **fields)
        )
    return retried


def queued_messages(instance: Instance) -> QuerySet[OutboundMessage]:
    """What `clear_queue` would cancel, in the order they would have gone out."""
    return OutboundMessage.objects.filter(instance=instance, status=S.QUEUED).order_by(
        "-priority", "due_at", "id"
    )


def clear_queue(instance: Instance) -> int:
    """Cancel every message of the instance still waiting; one being sent goes on. Returns how
    many were cancelled; their uploaded files are deleted."""
    now = timezone.now()
    with transaction.atomic():
        rows = OutboundMessage.objects.filter(instance=instance, status=S.QUEUED)
        files = list(rows.exclude(media_name="").values_list("pk", "media_name"))
        cancelled = rows.update(status=S.CANCELLED, status_changed_at=now)
    for pk, name in files:
        if OutboundMessage.objects.filter(pk=pk, status=S.CANCELLED, media_name=name).update(
            media_name=""
        ):
            media.delete_stored(name)
    return cancelled
