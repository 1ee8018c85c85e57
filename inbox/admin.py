from __future__ import annotations

from django.contrib import admin

from inbox.models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """The event log as the engines sent it: readable and searchable, never written by hand."""

    list_display = ("received_at", "instance", "event", "kind", "state", "event_id")
    list_filter = ("state", "kind", "event", "instance")
    search_fields = ("event_id", "event", "session", "instance__name")
    date_hierarchy = "received_at"
    list_select_related = ("instance",)
    readonly_fields = (
        "instance",
        "event_id",
        "event",
        "kind",
        "session",
        "payload",
        "occurred_at",
        "received_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
