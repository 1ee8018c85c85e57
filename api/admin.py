"""API keys in the Django admin: rename, restrict or revoke; the hash is never editable."""

from __future__ import annotations

from django.contrib import admin

from api.models import ApiKey


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
