"""API keys in the Django admin: rename, restrict or revoke; the hash is never editable. API
batches are listed read-only."""

from __future__ import annotations

from django.contrib import admin

from api.models import ApiBatch, ApiKey


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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
