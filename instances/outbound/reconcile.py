"""Reconciling with a gateway's message history, for gateways that answer a send without a
message id (Capability.NO_MESSAGE_IDS, chat-api): the history names our sends, so their acks
find them, and brings in the messages a downtime made us miss."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from instances.engine_cache import engine_for
from instances.engines.base import Capability, EngineError, EventKind, MessageData, MessageKind
from instances.models import Instance, OutboundMessage, OutboundStatus
from instances.outbound.status import apply_ack

logger = logging.getLogger(__name__)

S = OutboundStatus
# Sent rows that may still be waiting for the id the history gives them.
NAMEABLE = (S.SENT, S.DELIVERED, S.READ, S.PLAYED)
FILE_KINDS = (MessageKind.IMAGE, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.VOICE)


@dataclass(frozen=True)
class Reconciled:
    read: int = 0
    named: int = 0
    error: str = ""


def reconcile_history(instance: Instance) -> Reconciled:
    """Read the history past the instance's cursor once; never raises for an engine failure."""
    if not instance.supports(Capability.MESSAGE_HISTORY):
        return Reconciled()
    try:
        page = engine_for(instance).message_history(instance.history_cursor)
    except EngineError as exc:
        logger.info("Could not read the history of instance %s: %s", instance.pk, exc.message)
        return Reconciled(error=exc.message)
    named = 0
    messages = [event.data for event in page.events if event.kind is EventKind.MESSAGE]
    for message in messages:
        if message.from_me and name_send(instance, message):
            replay_acks(instance, message.message_id)
            named += 1
    if page.events:
        # Imported here: the inbox builds on this app, not the other way round.
        from inbox.services import ingest_events

        body = json.dumps({"messages": [event.envelope for event in page.events]}).encode()
        ingest_events(instance, list(page.events), body)
    Instance.objects.filter(pk=instance.pk).update(history_cursor=page.cursor)
    instance.history_cursor = page.cursor
    return Reconciled(read=len(messages), named=named)


def name_send(instance: Instance, message: MessageData) -> bool:
    """Give the oldest matching id-less send this message's id; False when none matches.

    A text send matches by chat and text; a file send by chat and kind, since the history links
    the gateway's copy of the file, not the address we sent.
    """
    if OutboundMessage.objects.filter(instance=instance, provider_id=message.message_id).exists():
        return False
    candidates = OutboundMessage.objects.filter(
        instance=instance, chat_id=message.chat_id, status__in=NAMEABLE, provider_id=""
    )
    if message.media is None:
        candidates = candidates.filter(kind=MessageKind.TEXT, payload__text=message.text)
    else:
        candidates = candidates.filter(kind__in=FILE_KINDS)
    with transaction.atomic():
        found = candidates.select_for_update().order_by("sent_at", "id").first()
        if found is None:
            return False
        OutboundMessage.objects.filter(pk=found.pk, provider_id="").update(
            provider_id=message.message_id[:200], updated_at=timezone.now()
        )
    return True


def replay_acks(instance: Instance, message_id: str) -> int:
    """Apply the acks stored for a message before its send had the id to match them (they
    usually come within seconds, the history is read every minute); how many moved it."""
    # Imported here: the inbox builds on this app, not the other way round.
    from inbox.models import WebhookEvent

    stored = WebhookEvent.objects.filter(
        instance=instance, kind=EventKind.ACK, event_id__contains=message_id
    ).order_by("received_at", "id")
    moved = 0
    for row in stored:
        try:
            events = instance.engine_class.parse_webhook({}, json.dumps(row.payload).encode())
        except ValueError:
            continue
        for event in events:
            if event.kind is EventKind.ACK and event.data.message_id == message_id:
                moved += apply_ack(instance, message_id, event.data.ack)
    return moved
