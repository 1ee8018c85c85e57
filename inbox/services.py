"""Webhook intake: store each event once, then apply it."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from config.fast_insert import insert
from inbox import conversations
from inbox.handlers import HANDLERS, STORED_FOR_LATER
from inbox.models import WebhookEvent
from instances.engines.base import Event
from instances.engines.webhook_json import decode_untrusted
from instances.models import Instance
from instances.services import note_engine_event

logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0


def parse_webhook(instance: Instance, headers: dict[str, str], body: bytes) -> list[Event]:
    """The engine's parser; ValueError for a body that is not one of its envelopes."""
    return instance.engine_class.parse_webhook(headers, body)


def ingest_events(instance: Instance, events: list[Event], body: bytes) -> IngestResult:
    decoded = decode_untrusted(body)
    raw_body = body if decoded.sanitised else None
    result = IngestResult()
    for event in events:
        if _store_and_apply(instance, event, decoded.value, raw_body):
            result.stored += 1
        else:
            result.duplicates += 1
    note_engine_event(instance)
    return result


def _store_and_apply(
    instance: Instance, event: Event, envelope: dict, raw_body: bytes | None
) -> bool:
    """False when the event was already stored: duplicates change nothing.

    Storing and applying are one transaction with one commit and no savepoint: round trips to
    the database, not parsing, are the cost of ingest (docs/benchmarks.md). When the handler
    fails, or meets a concurrent delivery of the same message, that transaction rolls back and
    the event is stored again the careful way: each step guarded, failures kept as `failed`.
    The event's insert comes first, so a duplicate event's IntegrityError rolls back nothing.
    """
    fields = {
        "instance": instance,
        "event_id": _storage_key(event),
        "event": event.raw_event[:60],
        "kind": event.kind,
        "session": event.session[:100],
        "payload": envelope,
        "raw_body": raw_body,
        "occurred_at": event.occurred_at,
        "state": _initial_state(event),
        "error": _problems(event),
    }
    try:
        with transaction.atomic():
            insert(WebhookEvent(**fields))
            handler = HANDLERS.get(event.kind)
            if handler is not None:
                handler(instance, event)
        return True
    except IntegrityError:
        if WebhookEvent.objects.filter(instance=instance, event_id=fields["event_id"]).exists():
            return False
    except Exception:  # noqa: S110 - applied again below, where a failure is recorded
        pass
    try:
        with transaction.atomic(), conversations.carefully():
            stored = insert(WebhookEvent(**fields))
            _apply(instance, event, stored)
    except IntegrityError:
        return False
    return True


def _apply(instance: Instance, event: Event, stored: WebhookEvent) -> bool:
    """False when the handler failed; the event is then stored as failed with the error."""
    handler = HANDLERS.get(event.kind)
    if handler is None:
        return True
    try:
        with transaction.atomic():
            handler(instance, event)
    except Exception as exc:
        # A handler bug must not lose the event or make the engine retry forever:
        # it stays stored as failed for a person (or a fix) to re-apply.
        logger.exception("Applying webhook event %s failed", stored.pk)
        stored.state, stored.error = WebhookEvent.State.FAILED, _describe(exc)
        stored.save(update_fields=["state", "error"])
        return False
    return True


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


@dataclass
class ReprocessResult:
    applied: int = 0
    failed: int = 0
    skipped: int = 0


REPROCESSABLE = (WebhookEvent.State.FAILED, WebhookEvent.State.STORED)


def reprocess_events(events: QuerySet[WebhookEvent]) -> ReprocessResult:
    """Apply failed (or stored) events again, oldest first. Handlers are idempotent, and each
    event is locked while it is applied, so two people reprocessing at once apply it once."""
    result = ReprocessResult()
    pks = events.filter(state__in=REPROCESSABLE).order_by("received_at", "id")
    for pk in pks.values_list("pk", flat=True):
        state = reprocess_event(pk)
        if state == WebhookEvent.State.APPLIED:
            result.applied += 1
        elif state == WebhookEvent.State.FAILED:
            result.failed += 1
        else:
            result.skipped += 1
    return result


def reprocess_event(pk: int) -> str | None:
    """The event's state after trying it again; None when it is gone or was not waiting."""
    with transaction.atomic():
        stored = (
            WebhookEvent.objects.select_for_update()
            .select_related("instance")
            .filter(pk=pk, state__in=REPROCESSABLE)
            .first()
        )
        if stored is None:
            return None
        body = bytes(stored.raw_body) if stored.raw_body else json.dumps(stored.payload).encode()
        try:
            events = parse_webhook(stored.instance, {}, body)
        except ValueError as exc:
            stored.state, stored.error = WebhookEvent.State.FAILED, _describe(exc)
            stored.save(update_fields=["state", "error"])
            return stored.state
        for event in events:
            with conversations.carefully():
                applied = _apply(stored.instance, event, stored)
            if not applied:
                return stored.state
        stored.state = _initial_state(events[0]) if events else WebhookEvent.State.APPLIED
        stored.error = _problems(events[0]) if events else ""
        stored.save(update_fields=["state", "error"])
        return stored.state


def _storage_key(event: Event) -> str:
    """The event's id, unique per instance; status reports without one never collide, because
    they are applied every time (docs/architecture.md, "Webhooks")."""
    return event.event_id[:200] or f"unkeyed:{uuid.uuid4().hex}"


def _problems(event: Event) -> str:
    return f"Malformed fields: {'; '.join(event.problems)}"[:300] if event.problems else ""


def _initial_state(event: Event) -> str:
    if event.kind in HANDLERS:
        return WebhookEvent.State.APPLIED
    if event.kind in STORED_FOR_LATER:
        return WebhookEvent.State.STORED
    return WebhookEvent.State.UNSUPPORTED
