"""The Django admin is a place to fix data, not to forge it.

What the engine reports (status, phone, attention, timestamps) and the status history are
read-only; the API key can be set but is never shown; history cannot be added by hand.
"""

from __future__ import annotations

from django.contrib import admin

from instances.forms import InstanceForm
from instances.models import Instance, OutboundMessage, QueueSettings, SendAttempt, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "changed_at",
        "from_status",
        "to_status",
        "source",
        "actor",
        "detail",
    )
    ordering = ("-changed_at",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    # The instance page's form: the same field checks, and an API key that can be set (it is
    # required on add) but is never rendered back.
    form = InstanceForm
    list_display = ("name", "engine", "status", "phone", "attention", "last_event_at", "updated_at")
    list_filter = ("engine", "status", "attention")
    search_fields = ("name", "session_name", "phone", "push_name", "base_url")
    readonly_fields = (
        "uuid",
        "status",
        "status_changed_at",
        "status_reported_at",
        "phone",
        "push_name",
        "attention",
        "last_error",
        "last_event_at",
        "last_polled_at",
        "auto_restarted_at",
        "history_cursor",
        "created_at",
        "updated_at",
    )
    inlines = [StatusChangeInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("instance", "from_status", "to_status", "source", "actor", "changed_at")
    list_filter = ("source", "to_status", "instance")
    search_fields = ("instance__name", "detail", "actor__username")
    date_hierarchy = "changed_at"
    list_select_related = ("instance", "actor")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
    readonly_fields = (
        "client_id",
        "provider_id",
        "attempts",
        "media_name",
        "created_at",
        "updated_at",
    )
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
        "act_human",
        "paused",
        "pause_reason",
    )
    list_filter = ("paused", "act_human")
    search_fields = ("instance__name", "pause_reason")
    readonly_fields = ("next_send_at", "burst_until")
    list_select_related = ("instance",)
