from __future__ import annotations

from django.contrib import admin, messages

from inbox import services
from inbox.models import CannedReply, Chat, ConversationMessage, Label, Note, WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """The event log as the engines sent it: readable and searchable, never written by hand."""

    list_display = ("received_at", "instance", "event", "kind", "state", "event_id")
    list_filter = ("state", "kind", "event", "instance")
    search_fields = ("event_id", "event", "session", "instance__name")
    date_hierarchy = "received_at"
    list_select_related = ("instance",)
    actions = ["reprocess"]
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

    @admin.action(description="Reprocess the chosen failed or stored events")
    def reprocess(self, request, queryset) -> None:
        result = services.reprocess_events(queryset)
        self.message_user(
            request,
            f"{result.applied} applied, {result.failed} failed again, "
            f"{result.skipped} left as they were.",
            messages.SUCCESS if not result.failed else messages.WARNING,
        )


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name",)


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("shortcut", "body", "created_at")
    list_filter = ("created_at",)
    search_fields = ("shortcut", "body")


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ("__str__", "instance", "chat_id", "state", "assignee", "unread_count")
    list_filter = ("state", "instance", "is_group", "labels")
    search_fields = ("chat_id", "name", "phone", "lid", "contact__name")
    list_select_related = ("instance", "contact", "assignee")
    raw_id_fields = ("contact",)
    # Engine-reported facts are read-only; the team's own fields (assignee, labels) are not.
    readonly_fields = (
        "instance",
        "chat_id",
        "lid",
        "phone",
        "is_group",
        "last_message_at",
        "last_message_preview",
        "last_message_outgoing",
        "changed_at",
        "created_at",
    )


@admin.register(ConversationMessage)
class ConversationMessageAdmin(admin.ModelAdmin):
    """History: what was said is read-only."""

    list_display = ("sent_at", "chat", "direction", "provider_id", "media_state")
    list_filter = ("direction", "media_state", "chat__instance")
    search_fields = ("provider_id", "body", "chat__chat_id", "chat__name")
    list_select_related = ("chat",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("created_at", "chat", "author", "__str__")
    list_filter = ("author",)
    search_fields = ("body", "chat__name", "chat__chat_id")
    list_select_related = ("chat", "author")
    raw_id_fields = ("chat",)
