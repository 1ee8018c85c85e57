"""Outgoing webhooks: who receives Switchboard's events, and every delivery made to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from instances.encryption import EncryptedTextField


class OutgoingEvent(models.TextChoices):
    MESSAGE_RECEIVED = "message.received", "Message received"
    MESSAGE_STATUS = "message.status", "Message status changed"
    INSTANCE_STATUS = "instance.status", "Instance status changed"
    CAMPAIGN_FINISHED = "campaign.finished", "Campaign finished"
    CONTACT_OPTED_OUT = "contact.opted_out", "Contact opted out"
    # Sent only by the "Send test event" button, to one subscriber.
    PING = "ping", "Test event"


SUBSCRIBABLE = [event for event in OutgoingEvent if event != OutgoingEvent.PING]


class WebhookSubscriber(models.Model):
    url = models.URLField("URL", max_length=2000)
    # Empty: every event.
    events = models.JSONField(default=list, blank=True)
    secret = EncryptedTextField(editable=False)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Failed attempts since the last success; at WEBHOOK_DISABLE_AFTER_FAILURES it is disabled.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscribers",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "webhook subscriber"

    def __str__(self) -> str:
        return self.url

    def receives(self, event: str) -> bool:
        return not self.events or event in self.events

    def event_labels(self) -> list[str]:
        return [OutgoingEvent(event).label for event in self.events if event in OutgoingEvent]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    # The last attempt failed; another is due at `next_try_at`.
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Gave up"


class WebhookDelivery(models.Model):
    subscriber = models.ForeignKey(
        WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=OutgoingEvent.choices)
    # One id per event, the same in every subscriber's delivery of it: receivers deduplicate.
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="api_delivery_due"),
            models.Index(fields=["subscriber", "-created_at"], name="api_delivery_log"),
            models.Index(fields=["created_at"], name="api_delivery_age"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscriber_id} ({self.status})"
