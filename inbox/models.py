from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from instances.choices import choices_from
from instances.engines.base import EventKind
from instances.models import Instance, OutboundMessage, OutboundStatus


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


class Label(models.Model):
    """A team's own word for a conversation (billing, urgent, ...)."""

    name = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="label_name_unique_ignoring_case")
        ]

    def __str__(self) -> str:
        return self.name


class Chat(models.Model):
    """One conversation: an instance and the chat id on the other side (a person or a group).

    `changed_at` moves whenever anything the inbox shows about the chat changes: the live
    regions compare it instead of reading every message (config/live.py).
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="chats")
    chat_id = models.CharField(max_length=120)
    # The privacy id this person wrote from before their phone was known (docs: "LID senders").
    lid = models.CharField("WhatsApp LID", max_length=120, blank=True, db_index=True)
    contact = models.ForeignKey(
        "campaigns.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    is_group = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_chats",
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="chats")
    unread_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_preview = models.CharField(max_length=120, blank=True)
    last_message_outgoing = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "chat_id"], name="chat_once_per_instance")
        ]
        # The inbox list: open (or closed) conversations, latest first.
        indexes = [models.Index(fields=["state", "-last_message_at", "-id"], name="chat_list")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.contact_id and self.contact.name:
            return self.contact.name
        return self.name or self.phone or self.chat_id


class ConversationMessage(models.Model):
    """A bubble in a thread: a message the customer sent, or one sent to them (from
    Switchboard, then linked to its OutboundMessage, or from the phone app)."""

    class Direction(models.TextChoices):
        IN = "in", "Incoming"
        OUT = "out", "Outgoing"

    class Media(models.TextChoices):
        NONE = "", "No media"
        PENDING = "pending", "Being fetched"
        STORED = "stored", "Stored"
        UNAVAILABLE = "unavailable", "Unavailable"

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    provider_id = models.CharField(max_length=200, blank=True)
    outbound = models.OneToOneField(
        OutboundMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversation_message",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    sender_id = models.CharField(max_length=120, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    quoted = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quoted_provider_id = models.CharField(max_length=200, blank=True)
    # {sender id: emoji}, one reaction per person as WhatsApp keeps them.
    reactions = models.JSONField(default=dict, blank=True)
    # For messages sent from the phone app; Switchboard's own sends show their outbound status.
    status = models.CharField(max_length=20, choices=OutboundStatus.choices, blank=True)
    media_state = models.CharField(max_length=12, choices=Media.choices, blank=True)
    # Where the engine keeps the file: fetched with the instance's key, never sent to a browser.
    media_source = models.CharField(max_length=2048, blank=True)
    media_mimetype = models.CharField(max_length=255, blank=True)
    media_filename = models.CharField(max_length=255, blank=True)
    media_file = models.FileField(upload_to="inbox/%Y/%m/", blank=True)
    media_error = models.CharField(max_length=300, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="conversation_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["chat", "sent_at"], name="message_in_thread"),
            # Acks, reactions, edits and revokes name a message by its id alone.
            models.Index(fields=["provider_id"], name="message_by_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.provider_id or self.pk}"

    @property
    def tick(self) -> str:
        """The delivery state the bubble shows: the outbound message's, when it is ours."""
        if self.outbound_id:
            return self.outbound.status
        return self.status

    @property
    def wire_id(self) -> str:
        """The id WhatsApp knows the message by: ours may only be on the outbound message yet,
        when the engine's echo of the send has not arrived."""
        if self.provider_id:
            return self.provider_id
        return self.outbound.provider_id if self.outbound_id else ""


class Note(models.Model):
    """A private note on a conversation: the team sees it, the customer never does.
    Notes without an author were written by Switchboard (an opt-out, a merge)."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class CannedReply(models.Model):
    """A saved answer: typing `/shortcut` in the reply box expands to `body`."""

    shortcut = models.SlugField(max_length=40, unique=True)
    body = models.TextField(max_length=4096)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shortcut"]
        verbose_name_plural = "canned replies"

    def __str__(self) -> str:
        return f"/{self.shortcut}"
