"""The `data` of each event, named as the REST API names the same things (api/messages.py,
api/profiles.py): a message's `id` is the one `GET /messages/{id}` takes, `profileId` is the
instance's id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.models import ApiBatch
from api.outgoing.events import timestamp
from instances.models import OutboundStatus

# Statuses whose `error` says why; for the others it is null.
_FAILURES = {OutboundStatus.FAILED, OutboundStatus.UNCONFIRMED}


def _time(at: datetime | None) -> str | None:
    return timestamp(at) if at else None


def message_status(message, status: str, error: str) -> dict[str, Any]:
    return {
        "id": str(message.client_id),
        "profileId": str(message.instance.uuid),
        "chatId": message.chat_id,
        "status": status,
        "error": (error or None) if status in _FAILURES else None,
    }


def message_received(message, chat) -> dict[str, Any]:
    return {
        "id": message.provider_id,
        "profileId": str(chat.instance.uuid),
        "chatId": chat.chat_id,
        "from": message.sender_id or chat.chat_id,
        "fromName": message.sender_name or chat.name,
        "text": message.body,
        "hasMedia": bool(message.media_state),
        "quotedId": message.quoted_provider_id or None,
        "sentAt": _time(message.sent_at),
    }


def instance_status(instance, previous: str) -> dict[str, Any]:
    return {
        "profileId": str(instance.uuid),
        "name": instance.name,
        "status": instance.status,
        "previousStatus": previous,
        "phone": instance.phone or None,
    }


def campaign_finished(campaign) -> dict[str, Any]:
    """`batchId` is the id `/bulk/batch/{batchId}` takes, for a campaign made by `/bulk/send`."""
    batch = ApiBatch.objects.filter(campaign=campaign).values_list("uuid", flat=True).first()
    return {
        "campaignId": campaign.pk,
        "batchId": str(batch) if batch else None,
        "name": campaign.name,
        "status": campaign.status,
        "finishedAt": _time(campaign.finished_at),
    }


def contact_opted_out(contact, reason: str) -> dict[str, Any]:
    return {"contactId": contact.pk, "phone": contact.phone, "reason": reason}


def ping() -> dict[str, Any]:
    return {"message": "A test event from Switchboard's Webhooks page."}
