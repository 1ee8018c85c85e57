"""Contacts, their tags, and (with the campaigns issue) campaigns and their recipients."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class Tag(models.Model):
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tag_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """One person, known by one E.164 phone number."""

    phone = models.CharField("phone (E.164)", max_length=20, unique=True)
    chat_id = models.CharField("WhatsApp chat id", max_length=120, blank=True)
    lid = models.CharField("WhatsApp LID", max_length=120, blank=True, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    opted_out = models.BooleanField(default=False, db_index=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opt_out_reason = models.CharField(max_length=200, blank=True)
    # What the last number check said (None: never checked), and when.
    on_whatsapp = models.BooleanField(null=True, blank=True)
    checked_at = models.DateTimeField("checked on WhatsApp at", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "phone"]
        indexes = [models.Index(Lower("name"), name="contact_name_lower")]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.name else self.phone
