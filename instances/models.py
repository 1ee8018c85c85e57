from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from instances.choices import choices_from
from instances.encryption import EncryptedTextField
from instances.engines import ENGINE_CHOICES
from instances.engines.base import Capability, MessageKind, ServerInfo


class InstanceStatus(models.TextChoices):
    """The engine session's state, as WAHA names it (engines.base.SessionStatus)."""

    STOPPED = "STOPPED", "Stopped"
    STARTING = "STARTING", "Starting"
    SCAN_QR_CODE = "SCAN_QR_CODE", "Waiting for QR scan"
    WORKING = "WORKING", "Working"
    FAILED = "FAILED", "Failed"
    UNKNOWN = "UNKNOWN", "Unknown"


class Attention(models.TextChoices):
    """What is wrong with an instance, in words; `Instance.attention_advice` says what to do."""

    NONE = "", "None"
    SILENT = "silent", "No events from the engine"
    RESTART_FAILED = "restart_failed", "Failed again after an automatic restart"
    UNREACHABLE = "unreachable", "Engine unreachable"
    KEY_REFUSED = "key_refused", "The engine refused the API key"
    WRONG_GATEWAY = "wrong_gateway", "Another service answers at the base URL"
    SESSION_MISSING = "session_missing", "The session no longer exists on the engine"
    ENGINE_ERROR = "engine_error", "The engine answered the status poll with an error"


ATTENTION_ADVICE = {
    Attention.SILENT: "Check that the engine can reach the webhook address below, "
    "then restart the session if events still do not arrive.",
    Attention.RESTART_FAILED: "Look at the screenshot to see what WhatsApp shows, "
    "then recreate the session and link the number again.",
    Attention.UNREACHABLE: "Check that the engine is running and that the base URL is right.",
    Attention.KEY_REFUSED: "Edit the instance and enter the engine's current API key.",
    Attention.WRONG_GATEWAY: "Edit the instance: check the base URL and the engine type.",
    Attention.SESSION_MISSING: "The engine may have been reset. Press Start to create "
    "the session again; you may have to link the number again.",
    Attention.ENGINE_ERROR: "See the last error below, then press Refresh status to try again.",
}

# Problems found by asking the engine; the next status it reports clears them.
ENGINE_PROBLEMS = frozenset(
    {
        Attention.UNREACHABLE,
        Attention.KEY_REFUSED,
        Attention.WRONG_GATEWAY,
        Attention.SESSION_MISSING,
        Attention.ENGINE_ERROR,
    }
)


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
    # What the gateway said about itself when last started or tested (`Engine.server_info`);
    # capabilities follow from it without asking the gateway on every page.
    engine_version = models.CharField(max_length=40, blank=True)
    engine_flavor = models.CharField(max_length=20, blank=True)
    engine_tier = models.CharField(max_length=20, blank=True)
    engine_checked_at = models.DateTimeField(null=True, blank=True)
    # Where reading the gateway's message history goes on from (chat-api's lastMessageNumber).
    history_cursor = models.BigIntegerField(null=True, blank=True, editable=False)

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

    @property
    def server_info(self) -> ServerInfo | None:
        if not self.engine_version:
            return None
        return ServerInfo(self.engine_version, self.engine_flavor, self.engine_tier)

    def supports(self, capability: Capability | str) -> bool:
        return Capability(capability) in self.engine_class.capabilities_for(self.server_info)

    @property
    def signs_webhooks(self) -> bool:
        return self.supports(Capability.SIGNED_WEBHOOKS)

    @property
    def webhook_url(self) -> str:
        """Where the engine posts events: the secret is in the address for every engine, and
        engines that sign (WAHA) add a signature the receiver checks too."""
        path = reverse("hooks:receive_with_token", args=[self.uuid, self.webhook_secret])
        return f"{settings.PUBLIC_BASE_URL}{path}"

    @property
    def api_key_hint(self) -> str:
        """Enough of the key to recognise it, never enough to use it."""
        if not self.api_key:
            return "not set"
        return f"•••• {self.api_key[-4:]}" if len(self.api_key) >= 12 else "••••"

    @property
    def attention_advice(self) -> str:
        return ATTENTION_ADVICE.get(self.attention, "")


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
    # The team member whose dashboard action caused the change; empty for the engine's reports
    # and the watchdog.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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

    # Not indexed alone: the queue's indexes below start with it, and every index is written
    # again at each status change (bench/outbound_throughput.py).
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="outbound", db_index=False
    )
    client_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chat_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=choices_from(MessageKind))
    payload = models.JSONField(default=dict, blank=True)
    # An uploaded file's name in default_storage, deleted once the message is final
    # (instances/outbound/media.py).
    media_name = models.CharField("uploaded file", max_length=255, blank=True)
    priority = models.SmallIntegerField(default=0)
    send_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher may next try it: `send_at` at first, later than that after a retry.
    due_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    # Indexed in Meta: `db_index` would add a second, LIKE-only index that no query uses.
    provider_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Its place in the batch its worker claimed it with. A worker sends a batch in this order and
    # records each outcome before the next send, so after a crash only the first unfinished row
    # of a batch can have been in flight (dispatcher.recover_stale_sends).
    claim_order = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["instance", "status", "-priority", "due_at", "id"], name="outbound_next"
            ),
            # Acks name the message by the engine's id.
            models.Index(fields=["provider_id"], name="outbound_provider_id"),
            # Every incoming message asks which sends went to its chat (campaign replies, the
            # inbox's side panel): without it each asks by reading every outbound row.
            models.Index(fields=["chat_id", "sent_at"], name="outbound_by_chat"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.chat_id} ({self.status})"

    @property
    def preview(self) -> str:
        """A line of what the message says, for lists of messages."""
        for key in ("text", "caption", "name", "title", "filename", "emoji"):
            value = self.payload.get(key) if isinstance(self.payload, dict) else None
            if isinstance(value, str) and value:
                return value
        return ""


class SendAttempt(models.Model):
    """One try at sending an outbound message, as the worker that made it saw it."""

    class Outcome(models.TextChoices):
        SENDING = "sending", "In progress"
        SENT = "sent", "Sent"
        RETRY = "retry", "Will retry"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Unconfirmed"
        RECOVERED = "recovered", "Reconciled after the worker stopped"
        CONFIRMED = "confirmed", "Found on the engine by its id"
        DECIDED = "decided", "Decided by a person"

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="tries")
    # The message's instance again, so pacing counts an instance's recent sends from one index
    # (attempt_by_instance, which also serves what an index of its own would).
    instance = models.ForeignKey(
        Instance, on_delete=models.CASCADE, related_name="send_attempts", db_index=False
    )
    worker = models.CharField(max_length=100)
    # The slot the instance's pacing reserved for this send (none for a burst).
    planned_for = models.DateTimeField(null=True, blank=True)
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
    # Mark the chat seen and show "typing..." before each send, where the engine can
    # (instances/outbound/act_human.py).
    act_human = models.BooleanField(
        "act human",
        default=False,
        help_text="Before each message, mark the chat as read and show “typing…” for as long "
        "as a person would take to type it. The typing happens inside the pause between "
        "messages.",
    )
    paused = models.BooleanField(default=False)
    pause_reason = models.CharField(max_length=300, blank=True)
    # The earliest time the next send may start; claimed with a conditional update.
    next_send_at = models.DateTimeField(null=True, blank=True)
    # Pacing off: a chain of send tasks sends in bursts and holds the turn until this time,
    # renewed by each burst; the pump leaves the instance alone meanwhile.
    burst_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "queue settings"

    def __str__(self) -> str:
        return f"Queue of {self.instance}"
