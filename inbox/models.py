from __future__ import annotations

from django.db import models

from instances.choices import choices_from
from instances.engines.base import EventKind
from instances.models import Instance


class WebhookEvent(models.Model):
    """One event as the engine posted it, stored once, then applied."""

    class State(models.TextChoices):
        APPLIED = "applied", "Applied"
        STORED = "stored", "Stored for a later handler"
        UNSUPPORTED = "unsupported", "Unsupported kind"
        FAILED = "failed", "Failed to apply"

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="webhook_events")
    event_id = models.CharField(max_length=200)
    event = models.CharField("engine event", max_length=60)
    kind = models.CharField(max_length=20, choices=choices_from(EventKind))
    session = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    # The body as it arrived, kept only when the payload had to be sanitised to be stored
    # (NUL characters, lone surrogates, NaN or invalid UTF-8: instances/engines/webhook_json.py).
    raw_body = models.BinaryField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.STORED)
    error = models.CharField(max_length=300, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "event_id"], name="webhook_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"
