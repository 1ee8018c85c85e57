from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from instances.encryption import EncryptedTextField
from instances.engines import ENGINE_CHOICES
from instances.engines.base import Capability, MessageKind


class InstanceStatus(models.TextChoices):
    """The engine session's state, as WAHA names it (engines.base.SessionStatus)."""

    STOPPED = "STOPPED", "Stopped"
    STARTING = "STARTING", "Starting"
    SCAN_QR_CODE = "SCAN_QR_CODE", "Waiting for QR scan"
    WORKING = "WORKING", "Working"
    FAILED = "FAILED", "Failed"
    UNKNOWN = "UNKNOWN", "Unknown"


class Attention(models.TextChoices):
    NONE = "", "None"
    SILENT = "silent", "No events from the engine"
    RESTART_FAILED = "restart_failed", "Failed again after an automatic restart"
    UNREACHABLE = "unreachable", "Engine unreachable"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Instance(models.Model):
    """One linked WhatsApp number on one gateway engine."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80, unique=True)
    engine = models.CharField(max_length=20, choices=ENGINE_CHOICES)
    base_url = models.URLField("Base URL", max_length=300)
    session_name = models.CharField(max_length=100)
    api_key = EncryptedTextField("API key or token", blank=True)
    webhook_secret = EncryptedTextField(default=new_webhook_secret, editable=False)

    status = models.CharField(
        max_length=20, choices=InstanceStatus.choices, default=InstanceStatus.STOPPED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The engine's timestamp of the last status webhook applied (engine clock, not ours).
    status_reported_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    push_name = models.CharField(max_length=100, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    attention = models.CharField(
        max_length=20, choices=Attention.choices, default=Attention.NONE, blank=True
    )
    auto_restarted_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["engine", "base_url", "session_name"], name="one_instance_per_session"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("instances:detail", args=[self.pk])

    @property
    def engine_class(self):
        from instances.engines import get_engine_class

        return get_engine_class(self.engine)

    def supports(self, capability: Capability | str) -> bool:
        return Capability(capability) in self.engine_class.capabilities

    @property
    def signs_webhooks(self) -> bool:
        return self.supports(Capability.SIGNED_WEBHOOKS)

    @property
    def webhook_url(self) -> str:
        """Where the engine posts events. Engines that cannot sign get the secret in the URL."""
        if self.signs_webhooks:
            path = reverse("hooks:receive", args=[self.uuid])
        else:
            path = reverse("hooks:receive_with_token", args=[self.uuid, self.webhook_secret])
        return f"{settings.PUBLIC_BASE_URL}{path}"

    @property
    def api_key_hint(self) -> str:
        """Enough of the key to recognise it, never enough to use it."""
        if not self.api_key:
            return "not set"
        return f"•••• {self.api_key[-4:]}" if len(self.api_key) >= 12 else "••••"


class StatusChange(models.Model):
    """One transition of an instance's status, whoever noticed it."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        POLL = "poll", "Status poll"
        ACTION = "action", "Dashboard action"
        WATCHDOG = "watchdog", "Watchdog"

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=InstanceStatus.choices)
    to_status = models.CharField(max_length=20, choices=InstanceStatus.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    detail = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.instance}: {self.from_status} -> {self.to_status}"


class OutboundStatus(models.TextChoices):
    """Moves only forward: queued -> sending -> sent -> delivered -> read -> played, or ends in
    failed / unconfirmed / cancelled (instances/outbound/status.py)."""

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    PLAYED = "played", "Played"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CANCELLED = "cancelled", "Cancelled"


PENDING_OUTBOUND = (OutboundStatus.QUEUED, OutboundStatus.SENDING)


class OutboundMessage(models.Model):
    """Every send, whatever started it, is one row here (see docs/architecture.md)."""

    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="outbound")
    client_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chat_id = models.CharField(max_length=120)
    kind = models.CharField(
        max_length=20, choices=[(kind.value, kind.name.title()) for kind in MessageKind]
    )
    payload = models.JSONField(default=dict, blank=True)
    priority = models.SmallIntegerField(default=0)
    send_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher may next try it: `send_at` at first, later than that after a retry.
    due_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    provider_id = models.CharField(max_length=200, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["instance", "status", "send_at"], name="outbound_due"),
            models.Index(
                fields=["instance", "status", "-priority", "due_at", "id"], name="outbound_next"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.chat_id} ({self.status})"


class SendAttempt(models.Model):
    """One try at sending an outbound message, as the worker that made it saw it."""

    class Outcome(models.TextChoices):
        SENDING = "sending", "In progress"
        SENT = "sent", "Sent"
        RETRY = "retry", "Will retry"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Unconfirmed"
        RECOVERED = "recovered", "Reconciled after the worker stopped"
        DECIDED = "decided", "Decided by a person"

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="tries")
    # The message's instance again, so pacing counts an instance's recent sends from one index.
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="send_attempts")
    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SENDING)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["instance", "started_at"], name="attempt_by_instance")]

    def __str__(self) -> str:
        return f"{self.message_id} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"


class QueueSettings(models.Model):
    """How one instance paces its sends, and whose turn it is (the dispatcher's state)."""

    instance = models.OneToOneField(Instance, on_delete=models.CASCADE, related_name="queue")
    min_delay_seconds = models.FloatField(
        default=4.0, validators=[MinValueValidator(0.0), MaxValueValidator(3600.0)]
    )
    max_delay_seconds = models.FloatField(
        default=10.0, validators=[MinValueValidator(0.0), MaxValueValidator(3600.0)]
    )
    per_minute_cap = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    per_day_cap = models.PositiveIntegerField(
        default=1000, validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    # Warm-up for a new number: the daily cap starts here and grows each day up to per_day_cap.
    warmup_start_cap = models.PositiveIntegerField(
        "warm-up first day cap", default=0, help_text="0 turns warm-up off."
    )
    warmup_daily_increase = models.PositiveIntegerField("warm-up daily increase", default=20)
    warmup_started_on = models.DateField("warm-up started on", null=True, blank=True)
    # Sending hours in the instance's own time zone; empty hours mean all day.
    time_zone = models.CharField(max_length=60, default="UTC")
    send_from = models.TimeField(null=True, blank=True)
    send_until = models.TimeField(null=True, blank=True)
    send_days = models.CharField(
        max_length=7, default="1234567", help_text="ISO weekday numbers, 1 = Monday."
    )
    paused = models.BooleanField(default=False)
    pause_reason = models.CharField(max_length=300, blank=True)
    # The earliest time the next send may start; claimed with a conditional update.
    next_send_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "queue settings"

    def __str__(self) -> str:
        return f"Queue of {self.instance}"
