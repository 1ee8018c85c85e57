from django.contrib import admin

from campaigns.models import Contact, Tag


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
