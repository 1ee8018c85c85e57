"""API keys: a secret shown once, stored as its SHA-256, with a role like a team member's."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.roles import KeyRole
from instances.models import Instance

# Enough of the token to tell keys apart in lists and logs; the rest is never stored.
PREFIX_LENGTH = 12


def hash_token(token: str) -> str:
    # The token is 256 random bits, so a plain fast hash is safe (no dictionary to try).
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now=None) -> ApiKeyQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)


class ApiKey(models.Model):
    name = models.CharField(max_length=80)
    role = models.CharField(max_length=20, choices=KeyRole.choices, default=KeyRole.OPERATOR)
    instances = models.ManyToManyField(
        Instance,
        blank=True,
        related_name="api_keys",
        help_text="The instances a restricted key may use.",
    )
    # Explicit, so that a key restricted to instances that are all deleted since reaches none,
    # instead of every instance as an empty list would say.
    restricted = models.BooleanField(
        default=False, help_text="Only the instances below; otherwise every instance."
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def key_role(self) -> KeyRole:
        return KeyRole(self.role)

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= now:
            return "expired"
        return "active"


class ApiBatch(models.Model):
    """A bulk send made through the API: a campaign underneath, the public id the API names it
    by (campaigns have none of their own), and the key that made it, so the dashboard can tell
    where a campaign came from."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="api_batch"
    )
    key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "API batch"
        verbose_name_plural = "API batches"

    def __str__(self) -> str:
        return f"{self.campaign} ({self.uuid})"


# Outgoing webhooks live in their own package (api/outgoing/); imported here so Django finds
# their models when it loads this app.
from api.outgoing.models import WebhookDelivery, WebhookSubscriber  # noqa: E402, F401
