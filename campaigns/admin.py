from django.contrib import admin

from campaigns.models import (
    Campaign,
    CampaignActivity,
    CampaignCounts,
    CampaignInstance,
    CampaignRecipient,
    CampaignVariant,
    Contact,
    ContactImport,
    ContactImportError,
    NumberCheck,
    SavedFilter,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["phone", "name", "opted_out", "on_whatsapp", "checked_at", "updated_at"]
    list_filter = ["opted_out", "on_whatsapp", "tags"]
    search_fields = ["phone", "name", "chat_id", "lid"]
    filter_horizontal = ["tags"]
    readonly_fields = ["on_whatsapp", "checked_at", "created_at", "updated_at"]


@admin.register(ContactImport)
class ContactImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "rows_done", "total_rows", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["original_name", "error"]
    readonly_fields = [
        "file",
        "original_name",
        "kind",
        "encoding",
        "delimiter",
        "columns",
        "mapping",
        "tag_all",
        "total_rows",
        "rows_done",
        "created_count",
        "updated_count",
        "skipped_count",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]


@admin.register(ContactImportError)
class ContactImportErrorAdmin(admin.ModelAdmin):
    list_display = ["contact_import", "row_number", "reason"]
    list_filter = ["contact_import"]
    search_fields = ["reason"]
    readonly_fields = ["contact_import", "row_number", "reason"]


@admin.register(NumberCheck)
class NumberCheckAdmin(admin.ModelAdmin):
    list_display = ["instance", "scope", "status", "checked", "found", "total", "created_at"]
    list_filter = ["status", "scope", "instance"]
    search_fields = ["instance__name", "error"]
    readonly_fields = [
        "instance",
        "scope",
        "tag",
        "total",
        "checked",
        "found",
        "last_contact_id",
        "error",
        "lease_until",
        "next_check_at",
        "created_by",
        "created_at",
        "finished_at",
    ]


class CampaignVariantInline(admin.TabularInline):
    model = CampaignVariant
    extra = 0


class CampaignInstanceInline(admin.TabularInline):
    model = CampaignInstance
    extra = 0
    # The feeder's clock per number: shown for diagnosis, moved only by the feeder.
    readonly_fields = ["next_send_at", "sent_since_sleep", "sleep_after"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "scheduled_at", "started_at", "finished_at", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["name", "pause_reason"]
    inlines = [CampaignVariantInline, CampaignInstanceInline]
    readonly_fields = ["started_at", "finished_at", "rotation", "created_at", "updated_at"]


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(admin.ModelAdmin):
    list_display = ["phone", "name", "campaign", "status", "instance", "queued_at", "replied_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["phone", "name", "campaign__name", "error"]
    list_select_related = ["campaign", "instance"]
    raw_id_fields = ["contact", "message"]
    # What happened to a recipient is history: the feeder and the queue write it.
    readonly_fields = [
        "status",
        "instance",
        "variant",
        "message",
        "error",
        "queued_at",
        "replied_at",
    ]


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "search", "tag", "field_key", "field_value", "created_by", "created_at"]
    list_filter = ["tag", "created_at"]
    search_fields = ["name", "search", "field_key", "field_value"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Counters are kept by campaigns/counters.py; editing one by hand would only be undone by
    the next recount."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CampaignCounts)
class CampaignCountsAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "instance", "pending", "queued", "sent", "delivered", "read"]
    list_filter = ["instance"]
    search_fields = ["campaign__name"]
    list_select_related = ["campaign", "instance"]


@admin.register(CampaignActivity)
class CampaignActivityAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "minute", "sent", "delivered", "read"]
    list_filter = ["minute"]
    search_fields = ["campaign__name"]
    list_select_related = ["campaign"]
