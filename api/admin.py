"""API keys in the Django admin: rename, restrict or revoke; the hash is never editable. API
batches are listed read-only."""

from __future__ import annotations

from django.contrib import admin

from api.models import ApiBatch, ApiKey, WebhookDelivery, WebhookSubscriber


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "role",
        "restricted",
        "created_by",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("role", "restricted", "revoked_at", "expires_at")
    search_fields = ("name", "prefix")
    filter_horizontal = ("instances",)
    readonly_fields = ("prefix", "secret_hash", "created_by", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        # A key made here would have no token to show: keys are made on the API keys page.
        return False


@admin.register(ApiBatch)
class ApiBatchAdmin(admin.ModelAdmin):
    """Which campaigns were made through the API, and by which key; a record, never edited."""

    list_display = ("campaign", "uuid", "key", "created_at")
    list_filter = ("campaign__status", "key", "created_at")
    search_fields = ("uuid", "campaign__name", "key__name", "key__prefix")
    list_select_related = ("campaign", "key")
    readonly_fields = ("uuid", "campaign", "key", "created_at")


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ("event", "status", "attempts", "response_code", "error", "next_try_at", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    extra = 0
    max_num = 0
    show_change_link = True
    can_delete = False


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    list_display = ("url", "description", "active", "consecutive_failures", "created_at")
    list_filter = ("active", "created_at")
    search_fields = ("url", "description", "disabled_reason")
    # The address is checked when a subscriber is made (api/outgoing/addresses.py); a new one
    # is a new subscriber, made on the Webhooks page.
    readonly_fields = ("url", "disabled_at", "consecutive_failures", "created_by", "created_at")
    inlines = (DeliveryInline,)

    def has_add_permission(self, request) -> bool:
        # The secret is made and shown once on the Webhooks page (or by the API).
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only: attempts are history."""

    list_display = ("event", "subscriber", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "event", "created_at")
    search_fields = ("event_id", "delivery_id", "subscriber__url", "error")
    list_select_related = ("subscriber",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
