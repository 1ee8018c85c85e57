"""`enqueue`: the only way anything is queued for sending."""

from __future__ import annotations

from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from instances.engines.base import MessageKind
from instances.models import Instance, OutboundMessage
from instances.outbound import media
from instances.outbound.errors import OutboundValidationError
from instances.outbound.recipients import chat_id_for
from instances.outbound.validation import clean_payload, kind_refusal
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
    upload: File | None = None,
) -> OutboundMessage:
    """Validate, normalize the recipient and queue one message. Raises OutboundValidationError
    with every problem by field; nothing is queued (or stored) then.

    `upload`: the file of an image, document, video or voice message, instead of `url` in the
    payload. It is checked by content, stored until the message is final, and the gateway gets
    a signed link to it.
    """
    errors: dict[str, list[str]] = {}
    try:
        chat_id = chat_id_for(to)
    except OutboundValidationError as exc:
        errors.update(exc.errors)
    try:
        cleaned = clean_payload(kind, payload, with_file=upload is not None)
    except OutboundValidationError as exc:
        errors.update(exc.errors)
    refusal = kind_refusal(kind, instance)
    if refusal:
        errors["kind"] = [refusal]
    file_type: tuple[str, str] | None = None
    if upload is not None and "kind" not in errors:
        try:
            file_type = media.check_upload(kind, upload)
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
    due_at = max(send_at, now) if send_at else now
    stored = None
    if upload is not None and file_type is not None:
        mimetype, filename = file_type
        stored = media.store_upload(upload, mimetype, filename, cleaned.get("filename", ""))
        link = media.signed_url(stored, media.link_expiry(due_at))
        cleaned = {**cleaned, "url": link, "mimetype": mimetype, "filename": stored.filename}
    try:
        # One statement: on its own it commits by itself, without a BEGIN and COMMIT round trip.
        message = OutboundMessage.objects.create(
            instance=instance,
            chat_id=chat_id,
            kind=MessageKind(kind),
            payload=cleaned,
            media_name=stored.name if stored else "",
            priority=priority,
            send_at=send_at,
            due_at=due_at,
            status_changed_at=now,
        )
    except BaseException:
        if stored is not None:
            media.delete_stored(stored.name)
        raise
    # At once when the insert committed by itself; after the caller's transaction otherwise.
    transaction.on_commit(wake_pump)
    return message
