from __future__ import annotations

from django.contrib import admin
from django.db import models

from instances.models import Instance, OutboundMessage, QueueSettings, SendAttempt, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("changed_at", "from_status", "to_status", "source", "detail")
    ordering = ("-changed_at",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    list_display = ("name", "engine", "status", "phone", "attention", "last_event_at", "updated_at")
    list_filter = ("engine", "status", "attention")
    search_fields = ("name", "session_name", "phone", "base_url", "uuid")
    readonly_fields = (
        "uuid",
        "status_changed_at",
        "last_event_at",
        "last_polled_at",
        "created_at",
        "updated_at",
    )
    # The API key and webhook secret are never shown here; change the key on the instance page.
    exclude = ("api_key", "webhook_secret")
    inlines = [StatusChangeInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("instance", "from_status", "to_status", "source", "changed_at")
    list_filter = ("source", "to_status", "instance")
    search_fields = ("instance__name", "detail")
    date_hierarchy = "changed_at"
    list_select_related = ("instance",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "instance",
        "chat_id",
        "kind",
        "status",
        "priority",
        "send_at",
        "created_at",
    )
    list_filter = ("status", "kind", "instance")
    search_fields = ("chat_id", "provider_id", "client_id")
    readonly_fields = ("client_id", "provider_id", "attempts", "created_at", "updated_at")
    list_select_related = ("instance",)


@admin.register(SendAttempt)
class SendAttemptAdmin(admin.ModelAdmin):
    """Every try at a send, as the worker recorded it: history, so read-only."""

    list_display = ("message", "worker", "started_at", "finished_at", "outcome", "detail")
    list_filter = ("outcome", "message__instance")
    search_fields = ("worker", "detail", "message__chat_id", "message__client_id")
    date_hierarchy = "started_at"
    list_select_related = ("message",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QueueSettings)
class QueueSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "instance",
        "min_delay_seconds",
        "max_delay_seconds",
        "per_minute_cap",
        "paused",
        "pause_reason",
    )
    list_filter = ("paused",)
    search_fields = ("instance__name", "pause_reason")
    readonly_fields = ("next_send_at",)
    list_select_related = ("instance",)
